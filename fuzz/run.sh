#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 300), one after the other, from
# the committed seeds plus a scratch corpus in fuzz/corpus/<target> (not
# committed). A crash stops the run; its input is in fuzz/artifacts/<target>/:
# copy it into fuzz/regressions/<target>/ and fix the bug, and cargo test
# replays it from then on.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); only stable Rust is needed,
# cargo-fuzz's nightly flags are allowed by RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-300}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(analysis workspace_url fix_round_trip lsp_input)
export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    case "$target" in
        analysis | fix_round_trip) seeds=seeds/catalog ;;
        *) seeds="seeds/$target" ;;
    esac
    mkdir -p "corpus/$target"
    echo "==> $target for ${seconds}s"
    # -rss_limit_mb: a run that needs more memory than this is a finding.
    cargo fuzz run "$target" "corpus/$target" "$seeds" -- \
        -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=30 -max_len=65536 \
        -print_final_stats=1 2>&1 | tee "corpus/$target.log" | grep -E "DONE|INITED|ERROR|SUMMARY|stat::" || true
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        echo "$target: the fuzzer stopped on a finding; see fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
