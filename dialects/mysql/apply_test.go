package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects/internal/dialecttest"
	"github.com/dlayer/dlayer/dialects/mysql"
)

// TestApply runs the generated DDL (of the test schema and of examples/blog)
// and has the server prepare every compiled statement, in a throw-away
// database on the server named by DLAYER_TEST_MYSQL_URL
// (mysql://user:pass@host:port/db).
func TestApply(t *testing.T) {
	raw := os.Getenv("DLAYER_TEST_MYSQL_URL")
	if raw == "" {
		t.Skip("DLAYER_TEST_MYSQL_URL is not set: SKIPPING the MySQL/MariaDB DDL/compile check")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := driver.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	ctx := context.Background()
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dbName := fmt.Sprintf("dlayer_sqlgen_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+dbName); err != nil {
		t.Fatal(err)
	}
	defer admin.ExecContext(ctx, "DROP DATABASE "+dbName)
	cfg.DBName = dbName
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dialecttest.Apply(t, mysql.New(),
		func(q string, args ...any) error { _, err := db.ExecContext(ctx, q, args...); return err },
		func(_, q string) error {
			st, err := db.PrepareContext(ctx, q)
			if err == nil {
				st.Close()
			}
			return err
		})
	t.Run("semantics", func(t *testing.T) {
		dialecttest.Semantics(t, mysql.New(), dialecttest.SQLRunner(ctx, db), true)
	})
	dialecttest.ApplySchema(t, mysql.New(), dialecttest.BlogSchema(t),
		func(q string, args ...any) error { _, err := db.ExecContext(ctx, q, args...); return err })
}
