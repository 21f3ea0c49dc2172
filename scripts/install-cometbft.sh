#!/usr/bin/env bash
# Installs the pinned CometBFT into .bin/ unless the right version is already there or on PATH.
# The version is pinned in one place: scripts/cometbft-version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want="$(tr -d ' \n' < "$root/scripts/cometbft-version")"
bin="$root/.bin"
have() { [ -x "$1" ] && [ "v$("$1" version 2>/dev/null | head -1)" = "$want" ]; }
if have "$bin/cometbft"; then exit 0; fi
onpath="$(command -v cometbft || true)"
if [ -n "$onpath" ] && have "$onpath"; then
  mkdir -p "$bin"; ln -sf "$onpath" "$bin/cometbft"; exit 0
fi
command -v go >/dev/null || { echo "CometBFT $want is needed and Go is not installed: install Go >= 1.22.11" >&2; exit 1; }
echo "installing CometBFT $want into $bin (go install, a few minutes the first time)..." >&2
mkdir -p "$bin"
GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/cometbft/cometbft/cmd/cometbft@$want"
have "$bin/cometbft" || { echo "CometBFT install failed: $bin/cometbft does not report $want" >&2; exit 1; }
