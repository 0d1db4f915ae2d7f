#!/usr/bin/env bash
# The differential test against @backstage/catalog-model (see diff.mjs).
# Needs node and npm; installs the pinned packages with `npm ci`.
# Usage: tests/backstage-diff/run.sh [iacm-lsp binary]   (builds it when omitted)
set -Eeuo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${IACM_CORPUS:-$repo/../shared/corpus/real}"
if [ ! -d "$corpus" ]; then
    echo "backstage-diff: $corpus does not exist; skipped" >&2
    exit 0
fi
bin="${1:-}"
if [ -z "$bin" ]; then
    (cd "$repo" && cargo build --locked --quiet)
    target_dir="$(cd "$repo" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    bin="${target_dir:-$repo/target}/debug/iacm-lsp"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
node diff.mjs "$bin" "$corpus"
