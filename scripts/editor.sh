#!/usr/bin/env bash
# editor.sh — install the editors the language-server tests drive headless
# (internal/lsp's Neovim test runs `nvim --headless` with its built-in LSP
# client against `dlayer lsp`).
#
#   scripts/editor.sh install   # install Neovim from Debian packages when missing
#   scripts/editor.sh status    # print the installed Neovim version, or fail
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

log() { printf 'editor: %s\n' "$*" >&2; }

case "${1:-}" in
install)
	if ! command -v nvim >/dev/null; then
		log "installing Neovim from Debian packages"
		apt_install neovim
	fi
	nvim --version | head -n 1 >&2
	;;
status)
	nvim --version | head -n 1
	;;
*)
	echo "usage: scripts/editor.sh install|status" >&2
	exit 2
	;;
esac
