package orm

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/dlayer/dlayer/engine"
)

type notSent struct{}

func (notSent) Error() string     { return "dial: connection refused" }
func (notSent) SafeToRetry() bool { return true }

// TestDirectError: what a failed one-statement flush reports. A refusal by
// the database, or a failure before the statement left, is the error
// itself; a connection lost or a context ended after it was sent is
// ErrCommitOutcomeUnknown (the statement may have been applied).
func TestDirectError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	constraint := &engine.ConstraintError{Kind: engine.Unique}
	cases := []struct {
		name    string
		ctx     context.Context
		sent    bool
		err     error
		unknown bool
	}{
		{"constraint", bg, true, constraint, false},
		{"stale", bg, true, ErrStaleObject, false},
		{"nothing sent", bg, false, io.ErrUnexpectedEOF, false},
		{"connection lost", bg, true, fmt.Errorf("run INSERT: %w", io.ErrUnexpectedEOF), true},
		{"driver says not sent", bg, true, fmt.Errorf("run INSERT: %w", notSent{}), false},
		{"bad connection (database/sql: not sent)", bg, true, driver.ErrBadConn, false},
		{"context ended while it ran", cancelled, true, context.Canceled, true},
		{"deadline", bg, true, fmt.Errorf("run INSERT: %w", context.DeadlineExceeded), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := directError(tc.ctx, nil, &directQ{sent: tc.sent}, tc.err)
			if !errors.Is(got, tc.err) {
				t.Fatalf("%v does not wrap the cause %v", got, tc.err)
			}
			if errors.Is(got, ErrCommitOutcomeUnknown) != tc.unknown {
				t.Fatalf("%v: outcome unknown %v, want %v", got, !tc.unknown, tc.unknown)
			}
		})
	}
}
