// Package mysql is dlayer's MySQL and MariaDB dialect (go-sql-driver/mysql):
// SQL compilation through the shared compiler (dialects/sqlgen), type
// mapping, DDL for InnoDB with utf8mb4, error translation and the driver.
// The SQL it writes runs on MySQL 8 and MariaDB 10.11.
package mysql
