#!/usr/bin/env bash
# schema-tools.sh — install the tools the schema-tooling tests run: Graphviz
# (`dot`, from Debian) and Mermaid's own parser (the `mermaid` npm package plus
# `jsdom` for the DOM it expects, under Node from Debian) check `dlayer erd`'s
# diagrams; yaml-language-server (the engine of VS Code's YAML extension)
# checks what editors get from schemas/dlayer.schema.json.
#
#   scripts/schema-tools.sh install   # install what is missing; prints the export line
#   scripts/schema-tools.sh env       # print the export line only
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
yamlls_version=1.25.0
textdocument_version=1.0.16

log() { printf 'schema-tools: %s\n' "$*" >&2; }

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
	local p missing=0
	for p in mermaid jsdom yaml-language-server vscode-languageserver-textdocument; do
		[ -f "$dir/node_modules/$p/package.json" ] || missing=1
	done
	if [ "$missing" -eq 1 ]; then
		log "installing mermaid, jsdom and yaml-language-server into $dir"
		[ -f "$dir/package.json" ] || printf '{"name":"dlayer-tools","private":true}\n' >"$dir/package.json"
		(cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
			"mermaid@$mermaid_version" "jsdom@$jsdom_version" \
			"yaml-language-server@$yamlls_version" "vscode-languageserver-textdocument@$textdocument_version" >&2)
	fi
}

case ${1:-} in
install) install; echo "export DLAYER_NODE_MODULES=$dir/node_modules" ;;
env) echo "export DLAYER_NODE_MODULES=$dir/node_modules" ;;
*) echo "usage: $0 install|env" >&2; exit 2 ;;
esac
