-- Composite primary keys in non-table order, CHAR(n), generated columns
-- (virtual and stored), foreign keys with no action stated and with
-- RESTRICT.
CREATE TABLE customer (
  customer_id INTEGER NOT NULL,
  country_code CHAR(2) NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) VIRTUAL,
  name_len INTEGER GENERATED ALWAYS AS (length(first_name) + length(last_name)) STORED NOT NULL,
  PRIMARY KEY (customer_id)
);

CREATE TABLE payment (
  id INTEGER NOT NULL,
  paid_at TIMESTAMP NOT NULL,
  customer_id INTEGER NOT NULL,
  other_id INTEGER,
  amount REAL NOT NULL,
  PRIMARY KEY (paid_at, id),
  CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id),
  CONSTRAINT fk_payment_other FOREIGN KEY (other_id) REFERENCES customer (customer_id) ON DELETE RESTRICT
);
