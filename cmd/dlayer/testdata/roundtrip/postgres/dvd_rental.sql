-- A film-rental shop in the shape of the classic DVD-rental sample: a
-- domain over integer, text[] special features, a tsvector full-text
-- column, an enum rating with upper-case values, a view, a materialized
-- view, a trigger with its function, and payments partitioned by month.
CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
CREATE TABLE language (
  language_id serial PRIMARY KEY,
  name character(20) NOT NULL,
  last_update timestamp NOT NULL DEFAULT now()
);
CREATE TABLE actor (
  actor_id serial PRIMARY KEY,
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  last_update timestamp NOT NULL DEFAULT now()
);
CREATE INDEX idx_actor_last_name ON actor (last_name);
CREATE TABLE film (
  film_id serial PRIMARY KEY,
  title varchar(255) NOT NULL,
  description text,
  release_year year,
  language_id integer NOT NULL REFERENCES language (language_id) ON UPDATE CASCADE ON DELETE RESTRICT,
  rental_duration smallint NOT NULL DEFAULT 3,
  rental_rate numeric(4,2) NOT NULL DEFAULT 4.99,
  length smallint,
  replacement_cost numeric(5,2) NOT NULL DEFAULT 19.99,
  rating mpaa_rating DEFAULT 'G',
  last_update timestamp NOT NULL DEFAULT now(),
  special_features text[],
  fulltext tsvector NOT NULL
);
CREATE INDEX film_fulltext_idx ON film USING gist (fulltext);
CREATE INDEX idx_title ON film (title);
CREATE TABLE film_actor (
  actor_id integer NOT NULL REFERENCES actor (actor_id),
  film_id integer NOT NULL REFERENCES film (film_id),
  PRIMARY KEY (actor_id, film_id)
);
CREATE TABLE customer (
  customer_id serial PRIMARY KEY,
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  email varchar(50),
  activebool boolean NOT NULL DEFAULT true,
  create_date date NOT NULL DEFAULT CURRENT_DATE
);
CREATE INDEX idx_last_name ON customer (last_name);
CREATE TABLE payment (
  payment_id serial NOT NULL,
  customer_id integer NOT NULL REFERENCES customer (customer_id),
  amount numeric(5,2) NOT NULL,
  payment_date timestamp with time zone NOT NULL,
  PRIMARY KEY (payment_id, payment_date)
) PARTITION BY RANGE (payment_date);
CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00');
CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00');
CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
CREATE INDEX idx_fk_payment_p2022_01_customer_id ON payment_p2022_01 (customer_id);
CREATE VIEW actor_info AS
  SELECT a.actor_id, a.first_name, a.last_name, count(fa.film_id) AS films
  FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
  GROUP BY a.actor_id, a.first_name, a.last_name;
CREATE VIEW film_titles AS SELECT title, release_year FROM film;
CREATE MATERIALIZED VIEW rental_by_category AS SELECT rating, count(*) AS films FROM film GROUP BY rating;
CREATE UNIQUE INDEX rental_by_category_rating ON rental_by_category (rating);
CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.last_update = CURRENT_TIMESTAMP;
  RETURN NEW;
END $$;
CREATE TRIGGER last_updated BEFORE UPDATE ON actor FOR EACH ROW EXECUTE PROCEDURE last_updated();
-- expect-report: trigger           actor.last_updated
-- expect-report: function          last_updated()
-- expect-report: film.film_fulltext_idx: written as a plain index; the database uses gist
-- expect-report: payment_p2022_01.idx_fk_payment_p2022_01_customer_id

-- expect-yaml: fulltext: {type: native, native: {postgres: tsvector}}
-- expect-yaml: special_features: {type: array, items: text, nullable: true}
-- expect-yaml: release_year: {type: year, nullable: true}
-- expect-yaml: by: RANGE (payment_date)
-- expect-yaml: materialized: true
-- expect-yaml: - {columns: [rating], unique: true, name: rental_by_category_rating}
-- expect-no-yaml: PaymentP2022
