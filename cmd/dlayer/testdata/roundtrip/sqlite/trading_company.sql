-- A trading company in the shape of the classic sample: employees who
-- report to employees (self-reference), territories they cover (many-to-
-- many), customers, orders and order lines, a column of a type SQLite
-- keeps as declared but dlayer has no name for (MONEY), a view over
-- orders, a trigger, a partial and an expression index.
CREATE TABLE regions (
  region_id INTEGER PRIMARY KEY,
  description VARCHAR(50) NOT NULL
);
CREATE TABLE territories (
  territory_id VARCHAR(20) NOT NULL PRIMARY KEY,
  description VARCHAR(50) NOT NULL,
  region_id INTEGER NOT NULL REFERENCES regions (region_id)
);
CREATE TABLE employees (
  employee_id INTEGER PRIMARY KEY,
  last_name VARCHAR(20) NOT NULL,
  first_name VARCHAR(10) NOT NULL,
  title VARCHAR(30),
  reports_to INTEGER REFERENCES employees (employee_id),
  hire_date DATE,
  salary MONEY
);
CREATE INDEX employees_last_name ON employees (last_name);
CREATE INDEX employees_lower_last_name ON employees (lower(last_name));
CREATE TABLE employee_territories (
  employee_id INTEGER NOT NULL REFERENCES employees (employee_id),
  territory_id VARCHAR(20) NOT NULL REFERENCES territories (territory_id),
  PRIMARY KEY (employee_id, territory_id)
);
CREATE TABLE customers (
  customer_id VARCHAR(5) NOT NULL PRIMARY KEY,
  company_name VARCHAR(40) NOT NULL,
  country VARCHAR(15)
);
CREATE TABLE orders (
  order_id INTEGER PRIMARY KEY,
  customer_id VARCHAR(5) REFERENCES customers (customer_id),
  employee_id INTEGER REFERENCES employees (employee_id),
  order_date DATE,
  shipped_date DATE,
  freight REAL DEFAULT 0 CHECK (freight >= 0)
);
CREATE INDEX orders_unshipped ON orders (order_date) WHERE shipped_date IS NULL;
CREATE TABLE order_details (
  order_id INTEGER NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
  product_name VARCHAR(40) NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 1,
  discount REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, product_name)
);
CREATE VIEW order_totals AS SELECT o.order_id, o.customer_id, count(*) AS lines FROM orders o JOIN order_details d ON d.order_id = o.order_id GROUP BY o.order_id, o.customer_id;
CREATE TRIGGER orders_shipped AFTER UPDATE OF shipped_date ON orders BEGIN
  UPDATE orders SET freight = freight WHERE order_id = NEW.order_id;
END;
-- expect-report: trigger           orders_shipped
-- expect-report: index             employees.employees_lower_last_name
-- expect-report: index             orders.orders_unshipped
-- expect-yaml: salary: {type: native, native: {sqlite: MONEY}, nullable: true}
-- expect-yaml: sql: SELECT o.order_id, o.customer_id, count(*) AS lines FROM orders o JOIN order_details d ON d.order_id = o.order_id GROUP BY o.order_id, o.customer_id
