-- Composite primary keys in non-table order, enum values with upper case,
-- quotes, commas, spaces and non-ASCII, foreign keys with and without actions.
CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
  mood ENUM('it''s fine','a,b','x y','Über','back\\slash') NOT NULL DEFAULT 'Über',
  kind ENUM('','Long Value With Spaces') NOT NULL DEFAULT '',
  PRIMARY KEY (film_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE actor (
  actor_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(45) NOT NULL,
  PRIMARY KEY (actor_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE film_actor (
  actor_id SMALLINT UNSIGNED NOT NULL,
  film_id SMALLINT UNSIGNED NOT NULL,
  note VARCHAR(20),
  PRIMARY KEY (film_id, actor_id),
  CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id),
  CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE payment (
  id BIGINT NOT NULL,
  paid_at DATETIME NOT NULL,
  amount DECIMAL(5,2) NOT NULL,
  PRIMARY KEY (paid_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
