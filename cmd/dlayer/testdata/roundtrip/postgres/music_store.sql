-- A music-store schema in snake_case with plural table names: _id suffixes,
-- a reports_to self-reference (a column named for its role), two foreign
-- keys from customers to employees, numeric prices.
CREATE TABLE artists (
  artist_id integer PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE albums (
  album_id integer PRIMARY KEY,
  title varchar(160) NOT NULL,
  artist_id integer NOT NULL REFERENCES artists (artist_id)
);
CREATE TABLE genres (
  genre_id integer PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE media_types (
  media_type_id integer PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE tracks (
  track_id integer PRIMARY KEY,
  name varchar(200) NOT NULL,
  album_id integer REFERENCES albums (album_id),
  media_type_id integer NOT NULL REFERENCES media_types (media_type_id),
  genre_id integer REFERENCES genres (genre_id),
  milliseconds integer NOT NULL,
  unit_price numeric(10,2) NOT NULL
);
CREATE TABLE employees (
  employee_id integer PRIMARY KEY,
  last_name varchar(20) NOT NULL,
  first_name varchar(20) NOT NULL,
  reports_to integer REFERENCES employees (employee_id)
);
CREATE TABLE customers (
  customer_id integer PRIMARY KEY,
  first_name varchar(40) NOT NULL,
  email varchar(60) NOT NULL,
  support_rep_id integer REFERENCES employees (employee_id),
  account_manager_id integer REFERENCES employees (employee_id)
);
CREATE TABLE invoices (
  invoice_id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (customer_id),
  total numeric(10,2) NOT NULL
);
CREATE TABLE invoice_lines (
  invoice_line_id integer PRIMARY KEY,
  invoice_id integer NOT NULL REFERENCES invoices (invoice_id),
  track_id integer NOT NULL REFERENCES tracks (track_id),
  unit_price numeric(10,2) NOT NULL,
  quantity integer NOT NULL
);
CREATE TABLE playlists (
  playlist_id integer PRIMARY KEY,
  name varchar(120)
);
CREATE TABLE playlist_track (
  playlist_id integer NOT NULL REFERENCES playlists (playlist_id),
  track_id integer NOT NULL REFERENCES tracks (track_id),
  PRIMARY KEY (playlist_id, track_id)
);
CREATE INDEX ifk_album_artist_id ON albums (artist_id);
CREATE INDEX ifk_track_album_id ON tracks (album_id);
