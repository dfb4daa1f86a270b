-- MySQL scopes index names per table: idx_x and uq_code on two tables each.
CREATE TABLE a (
  id INT NOT NULL PRIMARY KEY,
  x INT,
  code VARCHAR(10),
  KEY idx_x (x),
  UNIQUE KEY uq_code (code)
);
CREATE TABLE b (
  id INT NOT NULL PRIMARY KEY,
  x INT,
  code VARCHAR(10),
  KEY idx_x (x),
  UNIQUE KEY uq_code (code)
);
