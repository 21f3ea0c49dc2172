#!/usr/bin/env bash
# Opt-in: builds the pinned CometBFT with scripts/cometbft-flushfix.patch applied, as
# .bin/cometbft-flushfix (npm run install:cometbft-patched). Never run by npm ci, npm test or CI: the
# project runs the stock binary (.bin/cometbft); operators and `npm run bench -- --patched-cometbft`
# choose this one explicitly (qosd start --cometbft .bin/cometbft-flushfix, or QOS_COMETBFT).
# See docs/cometbft-flush-throttle.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want="$(tr -d ' \n' < "$root/scripts/cometbft-version")"
patch="$root/scripts/cometbft-flushfix.patch"
out="$root/.bin/cometbft-flushfix"
# the build records which patch it carries, so a changed patch file means a rebuild
stamp="flushfix-$(sha256sum "$patch" | cut -c1-12)"
if [ -x "$out" ] && "$out" version --verbose 2>/dev/null | grep -q "$stamp"; then
  echo "$out is up to date ($want + $stamp)" >&2
  exit 0
fi
command -v go >/dev/null || { echo "Go >= 1.22.11 is needed to build CometBFT $want" >&2; exit 1; }
module="github.com/cometbft/cometbft@$want"
# the module cache is read-only: build from a writable copy
src="$(GOFLAGS=-mod=mod go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$src" ] && [ -d "$src" ] || { echo "go mod download $module gave no source directory" >&2; exit 1; }
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
git -C "$work" apply --verbose "$patch" 2>&1 | sed 's/^/  /' >&2 || true
grep -q 'flushThrottleMS\*time.Millisecond' "$work/abci/client/socket_client.go" ||
  { echo "the patch did not apply to $module" >&2; exit 1; }
echo "building $out from $module + $(basename "$patch") (a few minutes the first time)..." >&2
mkdir -p "$root/.bin"
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-X github.com/cometbft/cometbft/version.TMGitCommitHash=$stamp" \
  -o "$out" ./cmd/cometbft)
# `cometbft version` prints the version with the stamp appended: 0.38.25+flushfix-<sha>
[ "v$("$out" version | head -1)" = "$want+$stamp" ] || { echo "$out does not report $want+$stamp" >&2; exit 1; }
echo "built $out ($want + $stamp)" >&2
