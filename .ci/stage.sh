# Stage timing for the CI scripts: `stage NAME command…` runs the command, prints how long it took and
# keeps the line for the summary that `stage_summary` prints at the end. Sourced, not run.
STAGE_LOG="${STAGE_LOG:-$(mktemp)}"
export STAGE_LOG
stage() {
    local name="$1" started
    shift
    echo "== $name"
    started="$(date +%s)"
    "$@"
    local seconds=$(( $(date +%s) - started ))
    printf '%-44s %5d s\n' "$name" "$seconds" | tee -a "$STAGE_LOG"
}
stage_summary() {
    echo "== stage timings"
    cat "$STAGE_LOG"
    awk '{ total += $(NF - 1) } END { printf "%-44s %5d s\n", "total", total }' "$STAGE_LOG"
}
