#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code workbench:
# code-server 4.100.3 (VS Code 1.100.3, the last npm release that runs on Node 20)
# driven by playwright-core in headless Debian Chromium, against the fake Harness API.
#
#   bash editors/vscode/e2e/run.sh               # the test; exit 0 only when every check passed
#   bash editors/vscode/e2e/run.sh --self-check  # the same with iacm.server.path=/bin/false: must fail
#
# Env: IACM_LSP_CMD   server executable put into iacm.server.path (default: target/debug/iacm-lsp)
#      E2E_TIMEOUT    whole-run limit in seconds (default 900; a cold npm ci takes ~1-3 min)
#      KEEP_RUN=1     keep the temp run directory (logs, profile, workspace copy)
# Screenshots go to $CARGO_TARGET_DIR/editor-screenshots/ (or target/editor-screenshots/).
#
# Installs what it needs, only when missing: apt chromium, ripgrep, libkrb5-dev (root on Debian);
# npm ci here (code-server and playwright-core pinned by package-lock.json) with the workarounds
# for code-server on Node 20 as root with no network but the npm registry (editor-testing.md §2a):
# npm_config_unsafe_perm, npm_config_yes, @vscode/ripgrep's download cache pre-seeded with Debian's rg.
# Never contacts a host other than 127.0.0.1 at test time.
set -Eeuo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
EXT_DIR="$ROOT/editors/vscode"

if [ "${1:-}" = "--self-check" ]; then
    # Prove the test can fail: a server that exits at once must make it fail.
    echo "self-check: running the test with iacm.server.path=/bin/false; it must FAIL"
    status=0
    IACM_LSP_CMD=/bin/false bash "$0" || status=$?
    if [ "$status" -eq 0 ]; then
        echo "SELF-CHECK FAILED: the test passed with iacm.server.path=/bin/false"
        exit 1
    fi
    echo "SELF-CHECK OK: the test failed (exit $status) with iacm.server.path=/bin/false"
    exit 0
fi

# Whole-run time limit: re-run this script under timeout(1) once.
if [ -z "${IACM_E2E_UNDER_TIMEOUT:-}" ]; then
    export IACM_E2E_UNDER_TIMEOUT=1
    exec timeout --kill-after=20 "${E2E_TIMEOUT:-900}" bash "$0" "$@"
fi

started=$(date +%s)
log() { printf '[e2e %3ds] %s\n' "$(( $(date +%s) - started ))" "$*"; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SHOTS="$CARGO_TARGET_DIR/editor-screenshots"
CACHE="$HERE/.cache"            # gitignored: ripgrep download cache for npm ci, temp files
RUN=""
FAKE_PID=""
CS_PID=""

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Both were started with setsid: kill their whole process groups (code-server leaves a file
    # watcher and extension hosts with the language server behind if only its main pid dies).
    for pid in $CS_PID $FAKE_PID; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    sleep 1
    for pid in $CS_PID $FAKE_PID; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    if [ -n "$RUN" ]; then
        if [ "$status" -ne 0 ] && [ -f "$RUN/code-server.log" ]; then
            echo "--- last lines of the code-server log ($RUN/code-server.log)"
            tail -n 20 "$RUN/code-server.log" || true
            find "$RUN/user-data/logs" -name '*IaCM*.log' 2>/dev/null | while read -r f; do
                echo "--- $f"; tail -n 30 "$f"
            done
        fi
        if [ -n "${KEEP_RUN:-}" ]; then echo "run directory kept: $RUN"; else rm -rf "$RUN"; fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. system packages (only when missing)
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- 2. code-server + playwright-core from the lockfile (only when missing)
if [ ! -x "$HERE/node_modules/.bin/code-server" ] || [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
    log "npm ci in editors/vscode/e2e (code-server 4.100.3 builds native modules: ~1-3 min)"
    rgcache="$CACHE/tmp/vscode-ripgrep-cache-1.15.11"
    mkdir -p "$CACHE/tmp/rgpkg" "$rgcache"
    cp /usr/bin/rg "$CACHE/tmp/rgpkg/rg"
    tar czf "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$CACHE/tmp/rgpkg" rg
    (
        cd "$HERE"
        export TMPDIR="$CACHE/tmp"          # @vscode/ripgrep looks for its download cache here
        export npm_config_unsafe_perm=true  # code-server's postinstall refuses to run as root otherwise
        export npm_config_yes=true          # node-pty's postinstall runs `npx node-gyp`
        npm ci --no-audit --no-fund --foreground-scripts >"$CACHE/npm-ci.log" 2>&1 \
            || { tail -n 40 "$CACHE/npm-ci.log"; exit 1; }
    )
    log "npm ci done"
fi

# --- 3. the server, the fake Harness API, the vsix
log "cargo build"
(cd "$ROOT" && cargo build --locked --quiet && cargo build --locked --quiet --example fake_harness)
SERVER="${IACM_LSP_CMD:-$CARGO_TARGET_DIR/debug/iacm-lsp}"
VSIX="$EXT_DIR/iacm-lsp.vsix"
if [ ! -f "$VSIX" ]; then
    log "packaging the extension"
    # Like `npm run package`, but with e2e/ (and its node_modules) left out of the vsix even when
    # the extension's .vscodeignore does not exclude it.
    mkdir -p "$CACHE"
    { cat "$EXT_DIR/.vscodeignore"; echo 'e2e/**'; } >"$CACHE/vscodeignore"
    (cd "$EXT_DIR" && npm ci --no-audit --no-fund && npm run compile && node scripts/copy-server.js --remove \
        && ./node_modules/.bin/vsce package --ignoreFile "$CACHE/vscodeignore" -o iacm-lsp.vsix) >"$CACHE/package.log" 2>&1 \
        || { tail -n 30 "$CACHE/package.log"; exit 1; }
fi

RUN="$(mktemp -d "${TMPDIR:-/tmp}/iacm-vscode-e2e.XXXXXX")"
mkdir -p "$RUN"/{user-data/User,extensions,tmp} "$SHOTS"
rm -f "$SHOTS"/vscode-*.png
# Hermetic: code-server and Chromium write under XDG dirs and TMPDIR whatever flags they get.
export XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data" XDG_CACHE_HOME="$RUN/xdg-cache" \
    XDG_STATE_HOME="$RUN/xdg-state" TMPDIR="$RUN/tmp"
# No extension gallery: point it at a closed local port so nothing leaves 127.0.0.1.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item"}'

"$HERE/node_modules/.bin/code-server" --version | head -n 1 | sed 's/^/code-server /'
cp -r "$ROOT/examples" "$RUN/ws"

setsid "$CARGO_TARGET_DIR/debug/examples/fake_harness" --port 0 >"$RUN/fake.log" 2>&1 &
FAKE_PID=$!
base="" key=""
for _ in $(seq 1 100); do
    base="$(sed -n 's/^Fake Harness IaCM API listening on \(http[^ ]*\).*/\1/p' "$RUN/fake.log")"
    key="$(sed -n 's/^ *export HARNESS_API_KEY=\(.*\)$/\1/p' "$RUN/fake.log")"
    [ -n "$base" ] && [ -n "$key" ] && break
    sleep 0.1
done
[ -n "$base" ] || { echo "the fake Harness API did not start"; cat "$RUN/fake.log"; exit 1; }
log "fake Harness API at $base"

cat >"$RUN/user-data/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "editor.hover.delay": 150,
  "editor.minimap.enabled": false,
  "iacm.server.path": "$SERVER",
  "iacm.baseUrl": "$base"
}
JSON

CS="$HERE/node_modules/.bin/code-server"
CSARGS=(--user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" --config "$RUN/config.yaml")
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$RUN/config.yaml"
"$CS" "${CSARGS[@]}" --install-extension "$VSIX" >"$RUN/install.log" 2>&1 \
    || { cat "$RUN/install.log"; exit 1; }
log "installed $(basename "$VSIX") into a fresh profile"

setsid "$CS" "${CSARGS[@]}" --auth none --bind-addr "127.0.0.1:$port" \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    "$RUN/ws" >"$RUN/code-server.log" 2>&1 &
CS_PID=$!
up=""
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$CS_PID" 2>/dev/null || break
    sleep 0.5
done
[ -n "$up" ] || { echo "code-server did not come up"; cat "$RUN/code-server.log"; exit 1; }
log "code-server up on 127.0.0.1:$port"

status=0
CS_URL="http://127.0.0.1:$port/?folder=$RUN/ws" SHOTS="$SHOTS" KEY="$key" CHROMIUM=/usr/bin/chromium \
    NODE_PATH="$HERE/node_modules" timeout --kill-after=10 360 node "$HERE/drive.js" || status=$?
log "done (screenshots in $SHOTS)"
exit "$status"
