#!/usr/bin/env bash
# Editor tests: the Neovim plugin (editors/nvim) in headless Neovim against the
# real server and the fake Harness API (cargo run --example fake_harness).
#
#   editors/test.sh               run the test; exit 0 only if every check passed
#   editors/test.sh --self-check  also prove it can fail: with the server command
#                                 set to /bin/false the test must exit non-zero
#   IACM_LSP_CMD=/path/to/server editors/test.sh   test another server binary
#
# Installs Neovim with apt-get when `nvim` is missing (CI: root on Debian 12).
set -euo pipefail

cd "$(dirname "$0")/.."
repo="$(pwd)"
# shellcheck source=lib/fake-harness.sh
. "$repo/editors/lib/fake-harness.sh"

self_check=0
case "${1:-}" in
    --self-check) self_check=1 ;;
    "") ;;
    *) echo "usage: editors/test.sh [--self-check]" >&2; exit 2 ;;
esac

if ! command -v nvim >/dev/null 2>&1; then
    echo "nvim not found: installing neovim with apt-get" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq neovim >/dev/null
fi
echo "$(nvim --version | head -1)"

target_dir="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}"
target_dir="${target_dir:-target}"
cargo build --quiet --locked --example fake_harness
cargo build --quiet --locked
server="${IACM_LSP_CMD:-$target_dir/debug/iacm-lsp}"

tmp="$(mktemp -d)"
fake_pid=""
cleanup() {
    if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if ! start_fake_harness "$target_dir" "$tmp/fake.log"; then
    echo "0 passed, 1 failed"
    exit 1
fi
base="$fake_base"
key="$fake_key"

run_nvim() { # $1: server command; output and status of the Neovim test
    local work="$tmp/work.$RANDOM"
    mkdir -p "$work/xdg/config" "$work/xdg/data" "$work/xdg/cache" "$work/xdg/state" "$work/files/live"
    git init -q "$work/files" 2>/dev/null || mkdir -p "$work/files/.git"
    cp examples/mistakes/catalog-info.yaml "$work/files/mistakes.catalog-info.yaml"
    cp examples/live/catalog-info.yaml "$work/files/live/catalog-info.yaml"
    cp editors/nvim/test/workflow.yaml "$work/files/workflow.yaml"
    cp tests/fixtures/workspace/org/groups.yaml "$work/files/teams.yaml"
    (
        cd "$work/files"
        unset HARNESS_API_KEY HARNESS_PLATFORM_API_KEY HARNESS_BASE_URL IACM_LIVE
        XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" \
        XDG_CACHE_HOME="$work/xdg/cache" XDG_STATE_HOME="$work/xdg/state" \
        IACM_TEST_PLUGIN="$repo/editors/nvim" IACM_TEST_CMD="$1" \
        IACM_TEST_BASE="$base" IACM_TEST_KEY="$key" IACM_TEST_DIR="$work/files" \
        IACM_TEST_FAKELOG="$tmp/fake.log" \
            timeout "${IACM_TEST_TIMEOUT:-60}" nvim --headless -u NONE -i NONE -n \
            -c "luafile $repo/editors/nvim/test/test.lua" </dev/null
    ) || {
        local rc=$?
        if [ -f "$work/xdg/cache/nvim/lsp.log" ]; then
            printf "\n--- last lines of Neovim's lsp.log (server stderr):\n"
            tail -n 15 "$work/xdg/cache/nvim/lsp.log" | cut -c1-400
        fi
        return "$rc"
    }
}

status=0
if [ "$self_check" -eq 1 ]; then
    echo "--- self-check: the server command is /bin/false, the test must fail (its output indented)"
    if run_nvim /bin/false 2>&1 | sed 's/^/  | /'; then
        echo "FAIL self-check: the test passed with /bin/false as the server"
        status=1
    else
        echo "PASS self-check: the test fails when the server does not run"
    fi
    echo "--- the real test"
fi
run_nvim "$server" || status=1
exit "$status"
