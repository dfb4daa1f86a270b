-- A film-rental shop in the shape of the classic MySQL sample: YEAR and
-- SET columns (no dlayer type: kept as native MySQL types), a view, a
-- trigger, a stored function and a procedure.
CREATE TABLE language (
  language_id smallint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(20) NOT NULL
);
CREATE TABLE film (
  film_id smallint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  title varchar(128) NOT NULL,
  description text,
  release_year year DEFAULT NULL,
  language_id smallint NOT NULL,
  rental_rate decimal(4,2) NOT NULL DEFAULT 4.99,
  special_features set('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
  KEY idx_title (title),
  KEY idx_fk_language_id (language_id),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id)
);
CREATE TABLE actor (
  actor_id smallint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  KEY idx_actor_last_name (last_name)
);
CREATE TABLE film_actor (
  actor_id smallint NOT NULL,
  film_id smallint NOT NULL,
  PRIMARY KEY (actor_id, film_id),
  KEY idx_fk_film_id (film_id),
  CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id),
  CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id)
);
CREATE VIEW actor_info AS
  SELECT a.actor_id AS actor_id, a.first_name AS first_name, a.last_name AS last_name, count(fa.film_id) AS films
  FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
  GROUP BY a.actor_id, a.first_name, a.last_name;
CREATE TRIGGER ins_film AFTER INSERT ON film FOR EACH ROW SET @films = COALESCE(@films, 0) + 1;
CREATE FUNCTION film_count(l smallint) RETURNS int DETERMINISTIC READS SQL DATA RETURN (SELECT count(*) FROM film WHERE language_id = l);
CREATE PROCEDURE rewards_report() SELECT 1;
-- expect-report: trigger           film.ins_film
-- expect-report: function          film_count
-- expect-report: procedure         rewards_report
-- expect-yaml: release_year: {type: native, native: {mysql: year(4)}, nullable: true}
-- expect-yaml: special_features: {type: native, native: {mysql: 'set(''Trailers'',''Commentaries'',''Deleted Scenes'',''Behind the Scenes'')'}, nullable: true}
-- expect-yaml: view:
