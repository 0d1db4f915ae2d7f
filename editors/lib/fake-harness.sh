# Sourced by the editor test scripts: starts the fake Harness API.
#
#   start_fake_harness TARGET_DIR LOG_FILE
#
# Runs TARGET_DIR/debug/examples/fake_harness on a free port, waits until
# it prints its URL, and sets fake_pid, fake_base (http://127.0.0.1:PORT/gateway)
# and fake_key. Returns 1, with the fake's output on stderr, if it did not
# start. The caller kills fake_pid when it is done.
start_fake_harness() {
    local target_dir="$1" log="$2"
    "$target_dir/debug/examples/fake_harness" --port 0 >"$log" 2>&1 &
    fake_pid=$!
    fake_base=""
    for _ in $(seq 1 100); do
        fake_base="$(sed -n 's/^Fake Harness IaCM API listening on \(http[^ ]*\).*/\1/p' "$log")"
        [ -n "$fake_base" ] && break
        kill -0 "$fake_pid" 2>/dev/null || break
        sleep 0.1
    done
    fake_key="$(sed -n 's/^ *export HARNESS_API_KEY=\(.*\)$/\1/p' "$log")"
    if [ -z "$fake_base" ] || [ -z "$fake_key" ]; then
        echo "FAIL the fake Harness API did not start:" >&2
        cat "$log" >&2
        return 1
    fi
}
