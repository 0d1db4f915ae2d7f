#!/usr/bin/env bash
# pytest-lsp suite: the real iacm-lsp binary under pytest-lsp's Neovim, VS Code
# and Emacs capability presets, against the fake Harness API.
#
#   editors/pytest/run.sh [PYTEST ARGS...]
#
# Creates a venv in target/pytest-venv (reused while requirements.txt is
# unchanged), builds the server and the fake API, starts the fake on a free
# port, runs pytest. Exit status is pytest's; "no tests collected" fails too.
#   IACM_LSP_CMD=/path/to/server  test another server binary
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
# shellcheck source=../lib/fake-harness.sh
. "$repo/editors/lib/fake-harness.sh"

target_dir="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}"
target_dir="${target_dir:-target}"
python="${PYTHON:-python3}"

venv="$target_dir/pytest-venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/pytest" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "creating $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" >"$stamp"
fi

cargo build --quiet --locked --example fake_harness
cargo build --quiet --locked
export IACM_LSP_CMD="${IACM_LSP_CMD:-$target_dir/debug/iacm-lsp}"

tmp="$(mktemp -d)"
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if ! start_fake_harness "$target_dir" "$tmp/fake.log"; then
    exit 1
fi
base="$fake_base"
key="$fake_key"
export HARNESS_BASE_URL="$base" HARNESS_API_KEY="${key:?no key in the fake API output}"
unset HARNESS_PLATFORM_API_KEY IACM_LIVE
echo "fake Harness API: $base"

status=0
(cd "$here" && timeout "${TIMEOUT:-300}" "$venv/bin/pytest" -rxXfE "$@") || status=$?
if [ "$status" -eq 5 ]; then
    echo "FAIL pytest collected no tests" >&2
    status=1
fi
exit "$status"
