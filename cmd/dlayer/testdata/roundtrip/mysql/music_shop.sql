-- A music shop in the shape of the classic tutorial sample (see
-- ../postgres/music_shop.sql), written as a MySQL user would: named
-- foreign keys with their own indexes, AUTO_INCREMENT keys, DATETIME.
CREATE TABLE artists (
  artist_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(120)
);
CREATE TABLE albums (
  album_id integer PRIMARY KEY AUTO_INCREMENT,
  title varchar(160) NOT NULL,
  artist_id integer NOT NULL,
  KEY albums_artist_idx (artist_id),
  CONSTRAINT albums_artist_fk FOREIGN KEY (artist_id) REFERENCES artists (artist_id)
);
CREATE TABLE genres (
  genre_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(120)
);
CREATE TABLE media_types (
  media_type_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(120)
);
CREATE TABLE tracks (
  track_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(200) NOT NULL,
  album_id integer,
  media_type_id integer NOT NULL,
  genre_id integer,
  composer varchar(220),
  milliseconds integer NOT NULL,
  bytes integer,
  unit_price decimal(10,2) NOT NULL,
  KEY tracks_album_idx (album_id),
  KEY tracks_media_type_idx (media_type_id),
  KEY tracks_genre_idx (genre_id),
  CONSTRAINT tracks_album_fk FOREIGN KEY (album_id) REFERENCES albums (album_id),
  CONSTRAINT tracks_media_type_fk FOREIGN KEY (media_type_id) REFERENCES media_types (media_type_id),
  CONSTRAINT tracks_genre_fk FOREIGN KEY (genre_id) REFERENCES genres (genre_id)
);
CREATE TABLE playlists (
  playlist_id integer PRIMARY KEY AUTO_INCREMENT,
  name varchar(120)
);
CREATE TABLE playlist_tracks (
  playlist_id integer NOT NULL,
  track_id integer NOT NULL,
  PRIMARY KEY (playlist_id, track_id),
  KEY playlist_tracks_track_idx (track_id),
  CONSTRAINT playlist_tracks_playlist_fk FOREIGN KEY (playlist_id) REFERENCES playlists (playlist_id),
  CONSTRAINT playlist_tracks_track_fk FOREIGN KEY (track_id) REFERENCES tracks (track_id)
);
CREATE TABLE employees (
  employee_id integer PRIMARY KEY AUTO_INCREMENT,
  last_name varchar(20) NOT NULL,
  first_name varchar(20) NOT NULL,
  title varchar(30),
  reports_to integer,
  birth_date datetime,
  hire_date datetime,
  email varchar(60),
  KEY employees_reports_to_idx (reports_to),
  CONSTRAINT employees_reports_to_fk FOREIGN KEY (reports_to) REFERENCES employees (employee_id)
);
CREATE TABLE customers (
  customer_id integer PRIMARY KEY AUTO_INCREMENT,
  first_name varchar(40) NOT NULL,
  last_name varchar(20) NOT NULL,
  company varchar(80),
  country varchar(40),
  email varchar(60) NOT NULL,
  support_rep_id integer,
  KEY customers_support_rep_idx (support_rep_id),
  CONSTRAINT customers_support_rep_fk FOREIGN KEY (support_rep_id) REFERENCES employees (employee_id)
);
CREATE TABLE invoices (
  invoice_id integer PRIMARY KEY AUTO_INCREMENT,
  customer_id integer NOT NULL,
  invoice_date datetime NOT NULL,
  billing_country varchar(40),
  total decimal(10,2) NOT NULL,
  KEY invoices_customer_idx (customer_id),
  CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
);
CREATE TABLE invoice_lines (
  invoice_line_id integer PRIMARY KEY AUTO_INCREMENT,
  invoice_id integer NOT NULL,
  track_id integer NOT NULL,
  unit_price decimal(10,2) NOT NULL,
  quantity integer NOT NULL DEFAULT 1,
  KEY invoice_lines_invoice_idx (invoice_id),
  KEY invoice_lines_track_idx (track_id),
  CONSTRAINT invoice_lines_invoice_fk FOREIGN KEY (invoice_id) REFERENCES invoices (invoice_id) ON DELETE CASCADE,
  CONSTRAINT invoice_lines_track_fk FOREIGN KEY (track_id) REFERENCES tracks (track_id),
  CONSTRAINT invoice_lines_quantity_ck CHECK (quantity > 0)
);
