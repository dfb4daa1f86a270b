-- Decimal columns of several precisions and scales, with defaults and data.
CREATE TABLE ledger (
  id integer PRIMARY KEY,
  total numeric(10,2) NOT NULL DEFAULT 0.00,
  rate numeric(15,4),
  amount numeric(12,0),
  free numeric
);
INSERT INTO ledger (id, total, rate, amount, free) VALUES
  (1, 9.99, 12345678901.2345, 7, 100.50),
  (2, 10.00, -0.0001, 123456789012, 0.1),
  (3, 100.50, 0, -1, NULL);
