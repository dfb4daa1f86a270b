package dialects_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dlayer/dlayer/dialects"
	_ "github.com/dlayer/dlayer/dialects/mysql"
	_ "github.com/dlayer/dlayer/dialects/postgres"
	_ "github.com/dlayer/dlayer/dialects/sqlite"
	"github.com/dlayer/dlayer/internal/secrettest"
)

// TestOpenNeverShowsPassword opens every URL of the corpus: the error, every
// error it wraps, and Redact of the URL must not contain the password.
func TestOpenNeverShowsPassword(t *testing.T) {
	cases := append(secrettest.Corpus(), secrettest.ServerCases()...)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			secrettest.Check(t, "Redact", dialects.Redact(tc.URL))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, p, err := dialects.Open(ctx, tc.URL, dialects.PoolOptions{})
			if err == nil {
				p.Close()
				if tc.MayConnect {
					return
				}
				t.Fatalf("Open(%s) succeeded", dialects.Redact(tc.URL))
			}
			checkChain(t, err)
		})
	}
}

// checkChain checks the text of err and of every error reachable by
// unwrapping it, as errors.As would find them, in %v and %+v forms.
func checkChain(t *testing.T, err error) {
	t.Helper()
	seen := 0
	var walk func(e error)
	walk = func(e error) {
		if e == nil || seen > 100 {
			return
		}
		seen++
		secrettest.Check(t, fmt.Sprintf("error %T", e), e.Error())
		secrettest.Check(t, fmt.Sprintf("error %T (%%+v)", e), fmt.Sprintf("%+v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		}
	}
	walk(err)
	_ = errors.Unwrap
}
