#!/usr/bin/env bash
# bench.sh — runs dlayer's benchmark suite (the bench/ module) side by side
# with hand-written pgx and database/sql, GORM and bun, and summarises it
# with benchstat, contenders as columns.
#
# Usage: scripts/bench.sh [benchmark regexp]      (default: all, i.e. ".")
#
# Environment:
#   DLAYER_TEST_POSTGRES_URL  PostgreSQL server; when unset, .dbs/env is sourced
#                             if present (scripts/dbs.sh start), else the
#                             PostgreSQL benchmarks skip
#   DLAYER_BENCH_FULL=1       stream 1,000,000 rows instead of 100,000
#   DLAYER_BENCH_COUNT        runs of the whole suite, interleaved (default 6)
#   DLAYER_BENCH_TIME         -benchtime (default 1s)
#
# Writes, under bench/results/<UTC timestamp>/: raw.txt (go test output of
# every run), benchstat.txt (benchstat -col /lib, one table per family) and
# table.md (medians and ratios to the baseline, the tables of
# docs/benchmarks.md, made by bench/cmd/benchtable).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin

pattern=${1:-.}
count=${DLAYER_BENCH_COUNT:-6}
benchtime=${DLAYER_BENCH_TIME:-1s}

if [ -z "${DLAYER_TEST_POSTGRES_URL:-}" ] && [ -f .dbs/env ]; then
	# shellcheck disable=SC1091
	source .dbs/env
fi
if [ -z "${DLAYER_TEST_POSTGRES_URL:-}" ]; then
	echo "bench.sh: DLAYER_TEST_POSTGRES_URL is not set; PostgreSQL benchmarks will skip" >&2
fi

if ! command -v benchstat >/dev/null; then
	echo "bench.sh: installing benchstat" >&2
	GOFLAGS= go install golang.org/x/perf/cmd/benchstat@latest
fi

out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
{
	echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "# command: scripts/bench.sh '$pattern' (go test -run '^\$' -bench '$pattern' -benchmem -benchtime $benchtime, $count interleaved runs)"
	echo "# DLAYER_BENCH_FULL=${DLAYER_BENCH_FULL:-}"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$out/raw.txt"

# The suite runs $count times as separate processes, each running every
# contender once (-count 1), rather than once with -count $count: a change
# in machine load then spreads over all contenders instead of landing on
# whichever one was running, and each run starts from a freshly seeded
# database.
(cd bench && go test -c -o "../$out/bench.test" .)
for i in $(seq "$count"); do
	echo "bench.sh: run $i of $count" >&2
	(cd bench && "../$out/bench.test" -test.run '^$' -test.bench "$pattern" -test.benchmem \
		-test.count 1 -test.benchtime "$benchtime" -test.timeout 3h) | tee -a "$out/raw.txt"
done
rm -f "$out/bench.test"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" >>"$out/raw.txt"

# One table per family, so each compares against its own first column
# (pgx on PostgreSQL, database/sql on SQLite).
for family in PG PGORM PGORMRead SQLite; do
	if grep -q "^Benchmark$family/" "$out/raw.txt"; then
		echo "## Benchmark$family"
		benchstat -filter ".name:$family" -col /lib "$out/raw.txt"
		echo
	fi
done >"$out/benchstat.txt"
# The ORM targets compare dlayer with GORM and bun directly.
if grep -q "^BenchmarkPGORM/.*/lib=dlayer" "$out/raw.txt"; then
	{
		echo "## BenchmarkPGORM, dlayer as the baseline against GORM and bun"
		benchstat -filter '.name:PGORM (/lib:dlayer OR /lib:gorm OR /lib:bun)' -col '/lib@(dlayer gorm bun)' "$out/raw.txt"
	} >>"$out/benchstat.txt"
fi
if grep -q "^BenchmarkPGORMRead/.*/lib=dlayer" "$out/raw.txt"; then
	{
		echo "## BenchmarkPGORMRead, dlayer as the baseline against GORM and bun"
		benchstat -filter '.name:PGORMRead (/lib:dlayer OR /lib:gorm OR /lib:bun)' -col '/lib@(dlayer gorm bun)' "$out/raw.txt"
	} >>"$out/benchstat.txt"
fi
(cd bench && go run ./cmd/benchtable "../$out/raw.txt") >"$out/table.md"
cat "$out/benchstat.txt" "$out/table.md"
echo
echo "results: $out/raw.txt, $out/benchstat.txt, $out/table.md (the docs/benchmarks.md tables)"
