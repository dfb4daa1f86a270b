#!/usr/bin/env bash
# erd-tools.sh — install the tools the `dlayer erd` tests check diagrams with:
# Graphviz (`dot`, from Debian) and Mermaid's own parser (the `mermaid` npm
# package plus `jsdom` for the DOM it expects, run under Node from Debian).
#
#   scripts/erd-tools.sh install   # install what is missing; prints the export line
#   scripts/erd-tools.sh env       # print the export line only
#
# The npm packages go to $DLAYER_TOOLS_DIR (default ~/.cache/dlayer-tools),
# which the tests find through DLAYER_NODE_MODULES (the export line), or at
# that default place.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${DLAYER_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dlayer-tools}
mermaid_version=11.12.2
jsdom_version=26.1.0

log() { printf 'erd-tools: %s\n' "$*" >&2; }

install() {
	local pkgs=()
	command -v dot >/dev/null || pkgs+=(graphviz)
	command -v node >/dev/null || pkgs+=(nodejs)
	command -v npm >/dev/null || pkgs+=(npm)
	if [ ${#pkgs[@]} -gt 0 ]; then
		log "installing ${pkgs[*]} from Debian packages"
		apt_install "${pkgs[@]}"
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/node_modules/mermaid/package.json" ] || [ ! -f "$dir/node_modules/jsdom/package.json" ]; then
		log "installing mermaid@$mermaid_version and jsdom@$jsdom_version into $dir"
		[ -f "$dir/package.json" ] || printf '{"name":"dlayer-tools","private":true}\n' >"$dir/package.json"
		(cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
			"mermaid@$mermaid_version" "jsdom@$jsdom_version" >&2)
	fi
}

case ${1:-} in
install) install; echo "export DLAYER_NODE_MODULES=$dir/node_modules" ;;
env) echo "export DLAYER_NODE_MODULES=$dir/node_modules" ;;
*) echo "usage: $0 install|env" >&2; exit 2 ;;
esac
