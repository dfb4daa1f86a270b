-- Decimal columns of several precisions and scales, with defaults and data.
CREATE TABLE ledger (
  id INT NOT NULL PRIMARY KEY,
  total DECIMAL(10,2) NOT NULL DEFAULT 0.00,
  rate DECIMAL(15,4),
  amount DECIMAL(12,0)
);
INSERT INTO ledger (id, total, rate, amount) VALUES
  (1, 9.99, 12345678901.2345, 7),
  (2, 10.00, -0.0001, 123456789012),
  (3, 100.50, 0, -1);
