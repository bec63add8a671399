# Stage timing for the CI scripts: `stage NAME command…` runs the command, prints how long it took and
# keeps the line for `stage_summary`, which .ci/run prints at exit, failed or not. Sourced, not run.
STAGE_LOG="${STAGE_LOG:-$(mktemp)}"
export STAGE_LOG
stage() {
    local name="$1" started status=0
    shift
    echo "== $name"
    started="$(date +%s)"
    "$@" || status=$?
    local seconds=$(( $(date +%s) - started ))
    printf '%-48s %5d s%s\n' "$name" "$seconds" "$([ "$status" = 0 ] || echo "  FAILED ($status)")" | tee -a "$STAGE_LOG"
    return "$status"
}
stage_summary() {
    echo "== stage timings"
    cat "$STAGE_LOG"
    awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "s") total += $i } END { printf "%-48s %5d s\n", "total", total }' "$STAGE_LOG"
}
