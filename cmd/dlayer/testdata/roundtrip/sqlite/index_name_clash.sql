-- SQLite index names are schema-wide, but constraint names are per table:
-- two tables each with a unique constraint named uq_code. Passes once
-- constraint names are checked per table (the index-name scope fix).
CREATE TABLE warehouses (
  warehouse_id INTEGER PRIMARY KEY,
  code VARCHAR(10) NOT NULL,
  CONSTRAINT uq_code UNIQUE (code)
);
CREATE TABLE shelves (
  shelf_id INTEGER PRIMARY KEY,
  warehouse_id INTEGER NOT NULL REFERENCES warehouses (warehouse_id),
  code VARCHAR(10) NOT NULL,
  CONSTRAINT uq_code UNIQUE (warehouse_id, code)
);
