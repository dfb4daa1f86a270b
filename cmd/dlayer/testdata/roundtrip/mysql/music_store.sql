-- A music-store schema with singular lower-case tables and camelCase
-- columns: Id suffixes, a reportsTo self-reference, supportRepId.
CREATE TABLE artist (
  artistId INT NOT NULL PRIMARY KEY,
  name VARCHAR(120)
);
CREATE TABLE album (
  albumId INT NOT NULL PRIMARY KEY,
  title VARCHAR(160) NOT NULL,
  artistId INT NOT NULL,
  CONSTRAINT fk_album_artist FOREIGN KEY (artistId) REFERENCES artist (artistId)
);
CREATE TABLE genre (
  genreId INT NOT NULL PRIMARY KEY,
  name VARCHAR(120)
);
CREATE TABLE mediaType (
  mediaTypeId INT NOT NULL PRIMARY KEY,
  name VARCHAR(120)
);
CREATE TABLE track (
  trackId INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  albumId INT,
  mediaTypeId INT NOT NULL,
  genreId INT,
  unitPrice DECIMAL(10,2) NOT NULL,
  CONSTRAINT fk_track_album FOREIGN KEY (albumId) REFERENCES album (albumId),
  CONSTRAINT fk_track_media_type FOREIGN KEY (mediaTypeId) REFERENCES mediaType (mediaTypeId),
  CONSTRAINT fk_track_genre FOREIGN KEY (genreId) REFERENCES genre (genreId)
);
CREATE TABLE employee (
  employeeId INT NOT NULL PRIMARY KEY,
  lastName VARCHAR(20) NOT NULL,
  reportsTo INT,
  CONSTRAINT fk_employee_reports_to FOREIGN KEY (reportsTo) REFERENCES employee (employeeId)
);
CREATE TABLE customer (
  customerId INT NOT NULL PRIMARY KEY,
  email VARCHAR(60) NOT NULL,
  supportRepId INT,
  CONSTRAINT fk_customer_support_rep FOREIGN KEY (supportRepId) REFERENCES employee (employeeId)
);
CREATE TABLE invoice (
  invoiceId INT NOT NULL PRIMARY KEY,
  customerId INT NOT NULL,
  total DECIMAL(10,2) NOT NULL,
  CONSTRAINT fk_invoice_customer FOREIGN KEY (customerId) REFERENCES customer (customerId)
);
CREATE TABLE invoiceLine (
  invoiceLineId INT NOT NULL PRIMARY KEY,
  invoiceId INT NOT NULL,
  trackId INT NOT NULL,
  unitPrice DECIMAL(10,2) NOT NULL,
  CONSTRAINT fk_invoice_line_invoice FOREIGN KEY (invoiceId) REFERENCES invoice (invoiceId),
  CONSTRAINT fk_invoice_line_track FOREIGN KEY (trackId) REFERENCES track (trackId)
);
CREATE TABLE playlist (
  playlistId INT NOT NULL PRIMARY KEY,
  name VARCHAR(120)
);
CREATE TABLE playlistTrack (
  playlistId INT NOT NULL,
  trackId INT NOT NULL,
  PRIMARY KEY (playlistId, trackId),
  CONSTRAINT fk_playlist_track_playlist FOREIGN KEY (playlistId) REFERENCES playlist (playlistId),
  CONSTRAINT fk_playlist_track_track FOREIGN KEY (trackId) REFERENCES track (trackId)
);
