#!/usr/bin/env bash
# test.sh — the whole test suite, from a fresh machine: installs and starts
# throw-away PostgreSQL and MariaDB servers (scripts/dbs.sh), checks gofmt and
# go vet, runs `go test -race ./...` against SQLite, PostgreSQL and MariaDB,
# runs every fuzz target briefly, and stops the servers again. It also starts
# a private PostgreSQL primary with a streaming replica (scripts/replica.sh)
# for the replica-failure tests, and pgbouncer in transaction-pooling mode
# (scripts/pgbouncer.sh) for the pooler tests, and a 3-node MariaDB Galera
# cluster (scripts/galera.sh) for the cluster tests.
#
# Environment:
#   CI=true             a database suite that would skip fails instead
#   DLAYER_FUZZTIME     time per fuzz target (default 10s)
#   DLAYER_KEEP_DBS=1   leave the servers running afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin
# go.mod's toolchain line names the Go release with the standard-library
# security fixes; "auto" fetches it through the module proxy when the machine's
# own Go is older (a machine may export GOTOOLCHAIN=local, which ignores it).
export GOTOOLCHAIN=${DLAYER_GOTOOLCHAIN:-auto}
fuzztime=${DLAYER_FUZZTIME:-10s}

step() { printf '\n== %s\n' "$*"; }

step "starting databases"
scripts/dbs.sh start
scripts/replica.sh start
if [ "${DLAYER_KEEP_DBS:-}" != 1 ]; then
	trap 'scripts/galera.sh stop || true; scripts/pgbouncer.sh stop || true; scripts/replica.sh stop || true; scripts/dbs.sh stop || true' EXIT
fi
# shellcheck disable=SC1091
source .dbs/env
# shellcheck disable=SC1091
source .dbs/replica.env
# pgbouncer (transaction pooling) in front of the PostgreSQL above.
scripts/pgbouncer.sh start
# shellcheck disable=SC1091
source .dbs/pgbouncer.env
# A 3-node MariaDB Galera cluster on loopback (internal/galeratest).
scripts/galera.sh start
# shellcheck disable=SC1091
source .dbs/galera.env

step "tools the tests drive"
# Neovim: the language server's headless-editor test (internal/lsp, cmd/dlayer TestLSPNeovim).
scripts/editor.sh install
# zsh and fish: the shell-completion tests check the generated scripts (cmd/dlayer).
scripts/shells.sh
# Graphviz, Node and the npm packages (mermaid, jsdom, yaml-language-server) for the erd and
# JSON Schema editor tests (exports DLAYER_NODE_MODULES).
eval "$(scripts/schema-tools.sh install)"

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "dlayer fmt --check (the project's own schema files)"
go run ./cmd/dlayer fmt --check examples cmd/dlayer/testdata/erd20 orm/testdata/traits orm/inheritdata orm/testdata/exprattr

step "go vet"
go vet ./...
for mod in $(git ls-files '*/go.mod'); do
	(cd "$(dirname "$mod")" && go vet ./...)
done

step "go test -race"
go test -race -count=1 -timeout 30m ./...

# fuzz_one runs one fuzz target. Go 1.26's fuzzing coordinator can end a
# clean run with a bare "context deadline exceeded" when -fuzztime runs out
# while a worker is mid-call (golang/go#75804, fixed in Go 1.27): no input
# fails and none is written. Such a run is retried once; any other failure
# (a failing input written, a panic, a hang) fails at once, and so does a
# second deadline error.
fuzz_one() {
	local pkg=$1 fn=$2 out rc try
	out=$(mktemp)
	for try in 1 2; do
		set +e
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
		set -e
		if [ "$rc" -eq 0 ]; then
			rm -f "$out"
			return 0
		fi
		if [ "$try" -eq 1 ] && grep -q 'context deadline exceeded' "$out" &&
			! grep -qE 'Failing input written|panic:|fuzzing process hung|--- FAIL: .*\(0\.' "$out"; then
			echo "fuzz $pkg $fn: Go's fuzztime deadline race (golang/go#75804), no failing input; running it again"
			continue
		fi
		break
	done
	rm -f "$out"
	return "$rc"
}

step "fuzz (each target $fuzztime)"
git grep -l '^func Fuzz' -- '*_test.go' | while read -r f; do
	pkg=./$(dirname "$f")
	for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
		echo "fuzz $pkg $fn"
		fuzz_one "$pkg" "$fn"
	done
done

step "nested modules: tests, and every benchmark run once"
for mod in $(git ls-files '*/go.mod'); do
	(cd "$(dirname "$mod")" && go test -count=1 -bench . -benchtime 1x ./...)
done

echo
echo "all checks passed"
