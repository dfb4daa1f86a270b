-- Decimal columns as the classic samples declare them (NUMERIC affinity),
-- with defaults and data; dlayer writes DECIMAL(p,s), the same affinity.
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  total NUMERIC(10,2) NOT NULL DEFAULT 0,
  rate DECIMAL(15,4),
  amount NUMERIC(12,0),
  free NUMERIC
);
INSERT INTO ledger (id, total, rate, amount, free) VALUES
  (1, 9.99, 12345678901.2345, 7, 100.50),
  (2, 10.00, -0.0001, 123456789012, 0.1),
  (3, 100.50, 0, -1, NULL);
