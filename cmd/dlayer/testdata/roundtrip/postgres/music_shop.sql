-- A music shop in the shape of the classic tutorial sample: artists and
-- their albums, tracks with media types and genres, playlists (many-to-many
-- through playlist_tracks), staff reporting to staff (self-reference),
-- customers looked after by a support rep, invoices with decimal totals.
CREATE TABLE artists (
  artist_id serial PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE albums (
  album_id serial PRIMARY KEY,
  title varchar(160) NOT NULL,
  artist_id integer NOT NULL REFERENCES artists (artist_id)
);
CREATE INDEX albums_artist_idx ON albums (artist_id);
CREATE TABLE genres (
  genre_id serial PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE media_types (
  media_type_id serial PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE tracks (
  track_id serial PRIMARY KEY,
  name varchar(200) NOT NULL,
  album_id integer REFERENCES albums (album_id),
  media_type_id integer NOT NULL REFERENCES media_types (media_type_id),
  genre_id integer REFERENCES genres (genre_id),
  composer varchar(220),
  milliseconds integer NOT NULL,
  bytes integer,
  unit_price numeric(10,2) NOT NULL
);
CREATE TABLE playlists (
  playlist_id serial PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE playlist_tracks (
  playlist_id integer NOT NULL REFERENCES playlists (playlist_id),
  track_id integer NOT NULL REFERENCES tracks (track_id),
  PRIMARY KEY (playlist_id, track_id)
);
CREATE TABLE employees (
  employee_id serial PRIMARY KEY,
  last_name varchar(20) NOT NULL,
  first_name varchar(20) NOT NULL,
  title varchar(30),
  reports_to integer REFERENCES employees (employee_id),
  birth_date timestamp,
  hire_date timestamp,
  email varchar(60)
);
CREATE TABLE customers (
  customer_id serial PRIMARY KEY,
  first_name varchar(40) NOT NULL,
  last_name varchar(20) NOT NULL,
  company varchar(80),
  country varchar(40),
  email varchar(60) NOT NULL,
  support_rep_id integer REFERENCES employees (employee_id)
);
CREATE TABLE invoices (
  invoice_id serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (customer_id),
  invoice_date timestamp NOT NULL,
  billing_country varchar(40),
  total numeric(10,2) NOT NULL
);
CREATE TABLE invoice_lines (
  invoice_line_id serial PRIMARY KEY,
  invoice_id integer NOT NULL REFERENCES invoices (invoice_id) ON DELETE CASCADE,
  track_id integer NOT NULL REFERENCES tracks (track_id),
  unit_price numeric(10,2) NOT NULL,
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0)
);
