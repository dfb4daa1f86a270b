-- Integer keys with and without the rowid: only a sole column declared
-- exactly INTEGER is the rowid (autoincrement); INT, and INTEGER in a
-- composite key, are plain columns an insert must give.
CREATE TABLE code (
  id INT NOT NULL PRIMARY KEY,
  label TEXT NOT NULL
);
CREATE TABLE counter (
  id INTEGER PRIMARY KEY,
  n INT
);
CREATE TABLE pair (
  a INTEGER NOT NULL,
  b INTEGER NOT NULL,
  PRIMARY KEY (a, b)
);
