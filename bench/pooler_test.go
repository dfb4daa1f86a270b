package bench

import (
	"context"
	"testing"
)

// poolerContenders compare dlayer's default PostgreSQL execution mode
// (pgx's cached named prepared statements) with the modes that work behind
// a transaction-pooling pooler: cache_describe, which ?pooler=transaction
// selects (plus a per-statement prefix check for session state, measured
// by BenchmarkCheckPooled in dialects/postgres), and exec. All three talk
// to the server directly, so the figures are the cost of the mode alone.
var poolerContenders = []contender{
	{"dlayer", openDlayerPG},
	{"dlayer-cachedescribe", openDlayerMode("cache_describe")},
	{"dlayer-exec", openDlayerMode("exec")},
}

func openDlayerMode(mode string) func(ctx context.Context, dsn string) (any, error) {
	return func(ctx context.Context, dsn string) (any, error) {
		u, err := withParam(dsn, "default_query_exec_mode", mode)
		if err != nil {
			return nil, err
		}
		return openDlayerPG(ctx, u)
	}
}

// BenchmarkPGPooler runs the core and ORM cases on PostgreSQL for dlayer
// in each execution mode.
func BenchmarkPGPooler(b *testing.B) {
	e := pgSetup(b)
	runCases(b, append(coreCases(e.ensureStream), ormCases()...), poolerContenders, &e.handles, e.dsn)
}
