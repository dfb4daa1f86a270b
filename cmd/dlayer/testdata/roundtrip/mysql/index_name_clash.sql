-- MySQL scopes index names per table: two tables each with an index
-- named idx_created, and the indexes the server makes for foreign keys
-- named after their column (customer_id on two tables). Passes once index
-- names are checked per table (the index-name scope fix).
CREATE TABLE customers (
  customer_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(80) NOT NULL,
  created datetime NOT NULL,
  KEY idx_created (created)
);
CREATE TABLE orders (
  order_id integer PRIMARY KEY AUTO_INCREMENT,
  customer_id integer NOT NULL,
  created datetime NOT NULL,
  KEY idx_created (created),
  FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
);
CREATE TABLE invoices (
  invoice_id integer PRIMARY KEY AUTO_INCREMENT,
  customer_id integer NOT NULL,
  FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
);
