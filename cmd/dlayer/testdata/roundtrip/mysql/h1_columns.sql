-- Unsigned integers and decimals, ON UPDATE CURRENT_TIMESTAMP, TIMESTAMP
-- against DATETIME at several precisions, CHAR(n), generated columns
-- (stored and virtual) and FULLTEXT indexes.
CREATE TABLE item (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  code CHAR(3) NOT NULL,
  name VARCHAR(100) NOT NULL,
  description TEXT,
  qty SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  big BIGINT UNSIGNED,
  price DECIMAL(8,2) UNSIGNED NOT NULL,
  total DECIMAL(12,2) AS (price * qty) STORED,
  label VARCHAR(110) GENERATED ALWAYS AS (CONCAT(code, ': ', name)) VIRTUAL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  created_us DATETIME(6),
  created_ms DATETIME(3),
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  touched TIMESTAMP(6) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(6),
  at_time TIME,
  PRIMARY KEY (id),
  FULLTEXT KEY ft_item_text (name, description),
  KEY ix_item_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
