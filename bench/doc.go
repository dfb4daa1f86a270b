// Package bench holds dlayer's performance benchmarks: the five cases of the
// public go-orm-benchmarks suite (Insert, InsertMulti, Update, Read,
// ReadSlice) on an 8-column table, plus selecting 10,000 rows and streaming a
// large table, and the ORM cases (select-in eager loading, flushing many new
// objects, identity-map Get). Every case runs side by side for several contenders in one
// process, and the contender is a key=value sub-name so that
// `benchstat -col /lib` puts the contenders side by side:
//
//	BenchmarkPG/<case>/lib=<contender>      PostgreSQL: pgx, dlayer, sql, gorm, bun, pgx-copy, dlayer-bulk
//	BenchmarkSQLite/<case>/lib=<contender>  SQLite: sql (modernc.org/sqlite), dlayer
//	BenchmarkPGORM/<case>/lib=<contender>   PostgreSQL, ORM cases
//	BenchmarkPGORMRead/<case>/lib=<contender>  PostgreSQL, the ORM read path:
//	                                        Read, ReadSlice, EagerLoad100/1k/10k, Joined5k
//
// The module has its own go.mod so that GORM and bun never become
// dependencies of dlayer itself.
//
// PostgreSQL benchmarks need DLAYER_TEST_POSTGRES_URL and skip without it;
// every run works in a fresh schema with a unique name that is dropped at
// the end. The streaming case reads 100,000 rows unless DLAYER_BENCH_FULL=1
// is set (and -short is not), in which case it reads 1,000,000. See
// docs/benchmarks.md and scripts/bench.sh.
package bench
