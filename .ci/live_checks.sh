#!/usr/bin/env bash
# The checks against a running server: calendars, schemathesis (anonymous, admin, partner), fuzz, privacy,
# a browser on another origin, the demo's hearing memos, webhooks, the README's own commands, and the crash test.
# Usage: .ci/live_checks.sh path/to/medvirk
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/stage.sh
BIN="$1"
WORK="$(mktemp -d)"
DB="$WORK/ci.sqlite"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ADMIN="$("$BIN" token create --db "$DB" --name "CI admin" --scope admin)"
PARTNER="$("$BIN" token create --db "$DB" --name "CI partner" --scope partner)"
# Rate limits are off here: schemathesis and the fuzz run send thousands of requests from one address
# (the limits themselves are tested in swift test).
start_server() {
    "$BIN" serve --db "$DB" --demo --port "$PORT" --log-level warning --address-rate-limit 0 --token-rate-limit 0 "$@" \
        >>"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 60); do
        curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
        sleep 1
    done
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
}
stop_server() {
    kill -TERM "$SERVER"
    wait "$SERVER"
}
stage "start server" start_server
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

stage "calendar feeds (icalendar)" python3 .ci/check_calendars.py "http://127.0.0.1:$PORT"

# positive_data_acceptance is on: a schema-valid request may break a domain rule (401, 403, 404, 409, 412,
# 422; see .ci/schemathesis.toml) but is never a 400. status_code_conformance flags an undeclared status.
# One worker: hypothesis' lambda introspection is not thread-safe on this Python.
ST=(schemathesis --config-file .ci/schemathesis.toml run openapi.yaml --url "http://127.0.0.1:$PORT" --checks all
    --mode all --max-examples 40 --workers 1 --seed 20261123)
stage "schemathesis anonymous" "${ST[@]}"
stage "schemathesis admin" "${ST[@]}" --header "Authorization: Bearer $ADMIN"
stage "schemathesis partner" "${ST[@]}" --header "Authorization: Bearer $PARTNER"

# Fuzz: malformed requests, stored data unchanged, idle and stalled connections dropped; then national id
# spellings, formula cells, percent-encoded keys, and the memory of concurrent bad imports.
stop_server
start_server --idle-timeout 2
stage "fuzz" python3 .ci/fuzz.py "http://127.0.0.1:$PORT" "$ADMIN" "$PARTNER"
stop_server
start_server
stage "privacy checks (fuzz.py)" env FUZZ_PART=privacy MEDVIRK_SERVER_PID="$SERVER" python3 .ci/fuzz.py "http://127.0.0.1:$PORT" "$ADMIN" "$PARTNER"
stop_server
trap - EXIT

# Each starts its own servers: a page on a second origin in headless Chromium (fetch, Link, ETag, 429),
# the README's shell blocks in order against a fresh demo server on port 8080, and hosted files with clamd.
stage "browser (chromium, cross-origin)" python3 .ci/browser_check.py "$BIN"
# The demo's published hearing memos in four formats, their party lists against /parties, and the HTML in
# Chromium; the screenshots are kept in ${CI_ARTIFACTS:-$WORK/artifacts} for a person to look at.
stage "hearing memos (memo_check.py, chromium screenshots)" python3 .ci/memo_check.py "$BIN" "${CI_ARTIFACTS:-$WORK/artifacts}"
# Webhooks end to end with a receiver that verifies every delivery with the standardwebhooks package (PyPI).
stage "webhooks (webhook_check.py, standardwebhooks)" python3 .ci/webhook_check.py "$BIN"
stage "README runs (readme_check.py)" python3 .ci/readme_check.py "$BIN"
stage "command line (cli_check.py)" python3 .ci/cli_check.py "$BIN"
stage "files (file(1), clamd: clean, EICAR, unreachable)" python3 .ci/file_checks.py "$BIN"

stage "crash test (SIGKILL mid-stream with uploads and a webhook subscription, SIGTERM drain)" python3 .ci/crash_test.py "$BIN" 8 1.5

if grep -E "Fatal error|internal-error|undeclared status" "$WORK/server.log"; then
    echo "the server logged an internal error or a status the contract does not declare" >&2
    exit 1
fi
