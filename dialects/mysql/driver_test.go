package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dlayer/dlayer/dialects"
	"github.com/dlayer/dlayer/dialects/mysql"
	"github.com/dlayer/dlayer/internal/testdb"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name, url, addr, user, pass, db string
		wantErr                         string
	}{
		{name: "full", url: "mysql://u:p%40ss@db.example:3307/app?timeout=5s", addr: "db.example:3307", user: "u", pass: "p@ss", db: "app"},
		{name: "mariadb scheme default port", url: "mariadb://u@db.example/app", addr: "db.example:3306", user: "u", db: "app"},
		{name: "unsafe settings are overridden", url: "mysql://u@h:1/d?interpolateParams=true&multiStatements=true&parseTime=false&charset=latin1",
			addr: "h:1", user: "u", db: "d"},
		{name: "bad parameter", url: "mysql://u@h/d?timeout=forever", wantErr: "timeout"},
		{name: "wrong scheme", url: "postgres://h/d", wantErr: "not a mysql URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := mysql.Config(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Addr != tt.addr || cfg.User != tt.user || cfg.Passwd != tt.pass || cfg.DBName != tt.db {
				t.Errorf("got addr %q user %q pass %q db %q", cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName)
			}
			if !cfg.ParseTime || cfg.InterpolateParams || cfg.MultiStatements || cfg.Loc != time.UTC ||
				!cfg.ClientFoundRows || cfg.Params["charset"] != "" || !strings.Contains(cfg.Params["sql_mode"], "STRICT_ALL_TABLES") {
				t.Errorf("unsafe config: %+v", cfg)
			}
		})
	}
}

func TestOpenPoolSettings(t *testing.T) {
	url := testdb.URL(t, testdb.MySQL)
	ctx := context.Background()
	p, err := mysql.OpenPool(ctx, url, dialects.PoolOptions{MaxOpenConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rows, err := p.Query(ctx, "SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@SESSION.character_set_client")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var mode, tz, cs string
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if err := rows.Scan(&mode, &tz, &cs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_ALL_TABLES") || tz != "+00:00" || cs != "utf8mb4" {
		t.Errorf("sql_mode %q time_zone %q charset %q", mode, tz, cs)
	}
	if p.DB().Stats().MaxOpenConnections != 3 {
		t.Errorf("MaxOpenConns not applied: %d", p.DB().Stats().MaxOpenConnections)
	}
}

func TestWrapLeavesHandleOpen(t *testing.T) {
	url := testdb.URL(t, testdb.MySQL)
	cfg, err := mysql.Config(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	p := mysql.Wrap(db)
	ctx := context.Background()
	if err := p.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("wrapped handle closed by the pool: %v", err)
	}
}

func TestOpenErrorRedactsPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := mysql.OpenPool(ctx, "mysql://u:hunter2@127.0.0.1:1/d", dialects.PoolOptions{})
	if err == nil {
		t.Fatal("no error for an unreachable server")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

// TestSQLAlchemyURLs opens the test server through URLs spelled as a
// Python project writes them: mysql+<driver>:// and mariadb+<driver>://,
// with SQLAlchemy's usual charset parameter.
func TestSQLAlchemyURLs(t *testing.T) {
	base := testdb.URL(t, testdb.MySQL)
	rest := base[strings.Index(base, "://"):]
	ctx := context.Background()
	for _, scheme := range []string{"mysql+pymysql", "mysql+mysqldb", "mysql+aiomysql", "mysql+asyncmy", "mysql+mysqlconnector", "mariadb+mariadbconnector", "mariadb+pymysql"} {
		t.Run(scheme, func(t *testing.T) {
			u := scheme + rest
			if strings.Contains(u, "?") {
				u += "&charset=utf8mb4"
			} else {
				u += "?charset=utf8mb4"
			}
			_, p, err := dialects.Open(ctx, u, dialects.PoolOptions{MaxOpenConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.Ping(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConfigPythonParams(t *testing.T) {
	tests := []struct {
		name, url     string
		net, addr, pw string
		timeout       time.Duration
		wantErr       string
	}{
		{name: "query password", url: "mysql+pymysql://u@h/db?password=s%26cret", net: "tcp", addr: "h:3306", pw: "s&cret"},
		{name: "passwd", url: "mysql://u@h/db?passwd=pw", net: "tcp", addr: "h:3306", pw: "pw"},
		{name: "password twice", url: "mysql://u:a@h/db?password=b", wantErr: "given twice"},
		{name: "unix socket", url: "mysql+pymysql://u:pw@localhost/db?unix_socket=/run/mysqld/mysqld.sock", net: "unix", addr: "/run/mysqld/mysqld.sock", pw: "pw"},
		{name: "connect timeout", url: "mysql+pymysql://u@h/db?connect_timeout=7", net: "tcp", addr: "h:3306", timeout: 7 * time.Second},
		{name: "ssl refused", url: "mysql+pymysql://u@h/db?ssl_ca=/etc/ca.pem", wantErr: "tls=true"},
		{name: "at in password", url: "mysql://u:p@w@h/db", wantErr: "percent-encode '@'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := mysql.Config(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Net != tt.net || cfg.Addr != tt.addr || cfg.Passwd != tt.pw || cfg.Timeout != tt.timeout {
				t.Errorf("net %q addr %q password %q timeout %v", cfg.Net, cfg.Addr, cfg.Passwd, cfg.Timeout)
			}
			for k := range cfg.Params {
				if k == "password" || k == "passwd" || k == "unix_socket" || k == "connect_timeout" {
					t.Errorf("%s sent as a session variable", k)
				}
			}
		})
	}
}

// TestWrongPasswordKeepsDriverError: the open error hides the password but
// still carries the server's typed error for errors.As.
func TestWrongPasswordKeepsDriverError(t *testing.T) {
	base := testdb.URL(t, testdb.MySQL)
	i, j := strings.Index(base, "://")+3, strings.LastIndex(base, "@")
	user, _, _ := strings.Cut(base[i:j], ":")
	bad := base[:i] + user + ":Wr0ng%40Passw0rd" + base[j:]
	_, _, err := dialects.Open(context.Background(), bad, dialects.PoolOptions{})
	var me *gomysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1045 {
		t.Fatalf("error %v (%T), want a *mysql.MySQLError 1045", err, err)
	}
	if strings.Contains(err.Error(), "Wr0ng") {
		t.Errorf("error shows the password: %v", err)
	}
}
