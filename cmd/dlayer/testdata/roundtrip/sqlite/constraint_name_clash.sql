-- SQLite keeps index names per database, but a unique constraint's name
-- names no object: uq_code on two tables is allowed.
CREATE TABLE a (
  id INTEGER PRIMARY KEY,
  code VARCHAR(10),
  CONSTRAINT uq_code UNIQUE (code)
);
CREATE TABLE b (
  id INTEGER PRIMARY KEY,
  code VARCHAR(10),
  CONSTRAINT uq_code UNIQUE (code)
);
