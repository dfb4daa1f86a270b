#!/usr/bin/env bash
# shells.sh — install zsh and fish (when missing) so the shell-completion
# tests of cmd/dlayer can check the generated scripts with `zsh -n` and
# `fish -n`. Idempotent; bash is always there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

missing=()
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
if [ ${#missing[@]} -gt 0 ]; then
	printf 'shells: installing %s from Debian packages\n' "${missing[*]}" >&2
	apt_install "${missing[@]}"
fi
