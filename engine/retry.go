package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dlayer/dlayer/dialects"
)

// The isolation level names TxOptions.Isolation (and WithIsolation) take.
// "" keeps the database's default. See TxOptions for what each database
// does with them.
const (
	ReadUncommitted = "read uncommitted"
	ReadCommitted   = "read committed"
	RepeatableRead  = "repeatable read"
	Serializable    = "serializable"
)

// ErrCommitOutcomeUnknown is matched by the error of a COMMIT whose answer
// never came (the connection was lost, or the context ended while COMMIT
// ran): the transaction may or may not have been committed. It is never
// retried by a retry policy, and never matches IsRetryable.
var ErrCommitOutcomeUnknown = errors.New("dlayer: commit failed; the outcome is unknown")

// ErrRolledBack is matched by the error of a COMMIT the database answered
// by rolling the transaction back: a serialization failure or deadlock
// found at commit (PostgreSQL SERIALIZABLE, CockroachDB, Galera
// certification), a deferred constraint, or a busy database. Nothing of the
// transaction was saved; when IsRetryable(err) also holds, running the
// whole transaction again is safe.
var ErrRolledBack = dialects.ErrRolledBack

// RetryPolicy says how a transaction is retried after a transient failure
// (see WithRetry). The zero value of a field means its default.
//
// Attempt n (n ≥ 2) starts after a delay drawn at random between half and
// all of min(MaxDelay, BaseDelay·2^(n-2)) ("equal jitter"), so that
// transactions that collided do not collide again in step.
type RetryPolicy struct {
	// MaxAttempts is how many times the transaction runs at most, the first
	// time included (default 10; 1 turns retrying off).
	MaxAttempts int
	// BaseDelay is the delay before the first retry (default 10ms; a
	// negative value retries at once, without waiting).
	BaseDelay time.Duration
	// MaxDelay caps every delay (default 1s).
	MaxDelay time.Duration
	// Retryable says which errors are retried (default IsRetryable). An
	// error matching ErrCommitOutcomeUnknown is never retried, whatever it
	// answers: the first attempt may have been committed.
	Retryable func(error) bool
	// OnRetry, when set, is called before each retry with the number of
	// the attempt that failed (1 for the first), its error and the delay
	// about to be waited: a place to log or count retries.
	OnRetry func(attempt int, err error, delay time.Duration)
}

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts = 10
	DefaultBaseDelay   = 10 * time.Millisecond
	DefaultMaxDelay    = time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.Retryable == nil {
		p.Retryable = IsRetryable
	}
	return p
}

// delay returns the wait before attempt n+1, after attempt n failed.
func (p RetryPolicy) delay(n int) time.Duration {
	if p.BaseDelay < 0 {
		return 0
	}
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if half := d / 2; half > 0 {
		d = half + rand.N(d-half+1)
	}
	return d
}

// TxOption configures a transaction run by Engine.Transaction (and
// orm.Session's Begin and Transaction).
type TxOption func(*TxConfig)

// TxConfig is what TxOptions set: the options given to BEGIN and the
// retry policy (nil: no retry).
type TxConfig struct {
	TxOptions
	Retry *RetryPolicy
}

// NewTxConfig applies opts (nil ones are ignored).
func NewTxConfig(opts ...TxOption) TxConfig {
	var c TxConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithRetry re-runs the whole transaction — a new BEGIN, the function
// again, COMMIT — after a transient failure (IsRetryable: a serialization
// failure, deadlock, lock wait timeout, busy database, CockroachDB restart
// or TiDB write conflict), including one reported by COMMIT, until it
// succeeds or p.MaxAttempts runs have failed. The transaction is rolled
// back before each retry, so whatever the failed run wrote is gone; the
// function must not keep state of its own across runs (or must reset it).
// A context that ends stops the retries; other errors, panics and a commit
// whose outcome is unknown are returned at once.
func WithRetry(p RetryPolicy) TxOption {
	return func(c *TxConfig) { p := p.withDefaults(); c.Retry = &p }
}

// WithIsolation sets the transaction's isolation level (ReadCommitted,
// RepeatableRead, Serializable, ReadUncommitted; "" for the database's
// default).
func WithIsolation(level string) TxOption {
	return func(c *TxConfig) { c.Isolation = level }
}

// WithReadOnly makes the transaction read-only: a write in it fails.
func WithReadOnly() TxOption {
	return func(c *TxConfig) { c.ReadOnly = true }
}

// WithTxOptions sets the isolation level and read-only mode at once.
func WithTxOptions(o TxOptions) TxOption {
	return func(c *TxConfig) { c.TxOptions = o }
}

// Transaction runs fn in a transaction, as TxWith does, with options: the
// isolation level and read-only mode (WithIsolation, WithReadOnly) and a
// retry policy (WithRetry). Without WithRetry it runs fn once.
//
// With WithRetry, a failure IsRetryable reports — from a statement, from
// fn's returned error (wrapping it is fine), or from COMMIT — rolls the
// transaction back and runs it again after a backoff delay, in a new
// transaction: the pattern the CockroachDB client libraries use. fn may
// therefore run several times, and must do everything again each time
// (read, decide, write), keeping no state of its own across runs. The
// error of the last run is returned when every attempt failed, saying how
// many there were. A context that ends stops the retries (the error
// matches the context's error and the last failure); a commit whose outcome
// is unknown (ErrCommitOutcomeUnknown) is never retried.
func (e *Engine) Transaction(ctx context.Context, fn func(tx *Tx) error, opts ...TxOption) error {
	if fn == nil {
		return errors.New("dlayer: transaction: nil function")
	}
	cfg := NewTxConfig(opts...)
	return Retry(ctx, cfg.Retry, func(ctx context.Context) error {
		return e.TxWith(ctx, cfg.TxOptions, fn)
	})
}

// Retry runs attempt until it succeeds or fails with an error p does not
// retry (see WithRetry for the rules); a nil p runs it once. It is the loop
// behind Engine.Transaction and orm.Session.Transaction, for callers that
// manage their own transactions: attempt must run one whole transaction
// (begin, work, commit, or roll back on error) each time it is called.
func Retry(ctx context.Context, p *RetryPolicy, attempt func(ctx context.Context) error) error {
	if ctx == nil {
		return errNilContext
	}
	if attempt == nil {
		return errors.New("dlayer: retry: nil function")
	}
	if p == nil {
		return attempt(ctx)
	}
	pol := p.withDefaults()
	for n := 1; ; n++ {
		err := attempt(ctx)
		if err == nil {
			return nil
		}
		if errors.Is(err, ErrCommitOutcomeUnknown) || !pol.Retryable(err) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return retryStopped(cerr, n, err)
		}
		if n >= pol.MaxAttempts {
			return fmt.Errorf("transaction failed %d times (retry policy: at most %d attempts): %w", n, pol.MaxAttempts, err)
		}
		d := pol.delay(n)
		if pol.OnRetry != nil {
			pol.OnRetry(n, err, d)
		}
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return retryStopped(context.Cause(ctx), n, err)
			case <-t.C:
			}
		}
	}
}

// retryStopped is the error of a retry loop stopped by its context.
func retryStopped(cause error, n int, last error) error {
	return fmt.Errorf("transaction: %w: retrying stopped after %d attempts (last failure: %w)", cause, n, last)
}

// commitError classifies a failed COMMIT: one the database answered with a
// rollback (a retryable failure, a constraint violation), or one whose
// outcome is unknown (everything else: a lost connection, a context that
// ended while COMMIT ran).
func commitError(err error) error {
	if err == nil {
		return nil
	}
	var ce *ConstraintError
	if dialects.IsRetryable(err) || errors.As(err, &ce) || errors.Is(err, ErrRolledBack) {
		if errors.Is(err, ErrRolledBack) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrRolledBack, err)
	}
	return fmt.Errorf("%w: %w", ErrCommitOutcomeUnknown, err)
}
