package dlayer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dlayer/dlayer"
	"github.com/dlayer/dlayer/engine"
	"github.com/dlayer/dlayer/spec"
	"github.com/dlayer/dlayer/stmt"
)

func TestOpenBlogExample(t *testing.T) {
	ctx := context.Background()
	e, err := dlayer.Open(ctx, "examples/blog/models", "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateAll(ctx); err != nil {
		t.Fatal(err)
	}
	users := stmt.TableOf(e.Schema(), "User")
	if _, err := e.Exec(ctx, stmt.Insert(users).Columns("name", "email").Values("Ann", "ann@example.com")); err != nil {
		t.Fatal(err)
	}
	n, err := engine.Scalar[int64](ctx, e, stmt.Select(stmt.CountAll()).From(users))
	if err != nil || n != 1 {
		t.Errorf("count = %d, %v", n, err)
	}
	if err := e.DropAll(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	bad := fstest.MapFS{"m.yaml": {Data: []byte("models:\n  User:\n    table: users\n    columns:\n      id: {type: nosuchtype}\n")}}
	tests := []struct {
		name   string
		models any
		url    string
		want   string
	}{
		{name: "schema errors", models: bad, url: "sqlite::memory:", want: "nosuchtype"},
		{name: "unsupported models", models: 42, url: "sqlite::memory:", want: "unsupported int"},
		{name: "nil models", models: nil, url: "sqlite::memory:", want: "no models"},
		{name: "unknown scheme", models: &spec.Schema{}, url: "oracle://x", want: `no dialect registered for URL scheme "oracle"`},
		{name: "missing directory", models: "no/such/dir", url: "sqlite::memory:", want: "no/such/dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := dlayer.Open(ctx, tt.models, tt.url)
			if err == nil {
				e.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
	_, err := dlayer.Open(ctx, bad, "sqlite::memory:")
	var ds spec.Diagnostics
	if !errors.As(err, &ds) || !ds.HasErrors() {
		t.Errorf("schema error is not a spec.Diagnostics: %v", err)
	}
}
