#!/usr/bin/env python3
"""The README runs: every shell block of README.md, in order, against a fresh demo server.

Usage: .ci/readme_check.py path/to/medvirk [path/to/README.md]

What it does:
- Extracts the ```sh / ```bash blocks of README.md in order (blocks inside list items too).
- Makes a fresh temporary directory that looks like a checkout for the commands (`Migrations` and
  `openapi.yaml` linked in, no database), starts `medvirk serve --demo` there on port 8080, the port
  the README uses (it fails at once, saying so, when 8080 is taken), and waits for /readyz.
- Runs all blocks in ONE bash process in that directory (`set -euo pipefail`), so variables carry
  from block to block as they do in a reader's terminal.
- Puts a `swift` stand-in first on PATH: `swift run medvirk ARGS` runs the binary under test with
  ARGS; `swift build` and `swift test` are skipped (CI runs them in their own stages); any other
  `swift` command fails.
- Wraps `curl` in a shell function that runs the real curl with `-D` (headers to a file), a time
  limit and `--show-error`, passes the body through unchanged, and fails the run on any answer that
  is not 2xx, unless the command announces the status with a trailing `# expect NNN` comment (then
  exactly that status is required: `# expect 304`, `# expect 422`).
- On a failure prints the block, the command (with its README line), the status, the headers and
  the response body, and the server log's tail, and keeps the temporary directory; on success a
  line per curl call with its status (READMECHECK_VERBOSE=1 also prints what the blocks printed).
- Stops the server with SIGTERM at the end: it must exit 0 and have logged no internal error.

Markers in README.md (HTML comments, invisible in the rendered page):
- `<!-- readme-check: skip (reason) -->` on the line before a fence (blank lines between are
  allowed): the block is not run. For blocks that cannot run here: the two-command synopsis at the
  top (this script starts the server itself), command synopses with placeholders, production
  examples, Docker.
Runnable blocks must compute their dates (a literal YYYY-MM-DD stops working next year) and take
ids and receipt numbers from earlier answers; a literal date or receipt number is an error here.

Limits of the command scanner (it inserts bookkeeping lines between top-level commands): quotes,
backslash continuations, `$( … )`, trailing `|`/`&&`/`||` and here-documents are understood;
`case … esac` spanning lines is not.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PORT = 8080
BASE = f"http://127.0.0.1:{PORT}"
RUN_TIMEOUT = 600  # seconds for all blocks together
FENCE = re.compile(r"^(\s*)```\s*(sh|bash|shell|console)?\s*$")
MARKER = re.compile(r"<!--\s*readme-check:\s*(.*?)\s*-->")
EXPECT = re.compile(r"\bexpect\s+(\d{3})\b")
LITERAL_DATE = re.compile(r"(?<!\d)(19|20)\d\d-\d\d-\d\d(?!\d)")
LITERAL_RECEIPT = re.compile(r"\b[A-Z]{2,8}-\d{4}-\d{6}\b")


class ReadmeError(Exception):
    pass


class Block:
    def __init__(self, number, line, lines, skip):
        self.number = number  # 1-based among shell blocks
        self.line = line  # README line of the opening fence
        self.lines = lines  # content, fence indentation removed
        self.skip = skip  # reason, or None


def extract_blocks(readme_lines):
    """The shell blocks, each with its skip marker (if any). Other fences (nginx, json …) are passed over."""
    blocks, i, number = [], 0, 0
    while i < len(readme_lines):
        m = FENCE.match(readme_lines[i])
        if not m:
            if readme_lines[i].lstrip().startswith("```"):  # another language: skip to its closing fence
                i += 1
                while i < len(readme_lines) and readme_lines[i].strip() != "```":
                    i += 1
            i += 1
            continue
        indent, lang = m.group(1), m.group(2)
        start = i
        body = []
        i += 1
        while i < len(readme_lines) and readme_lines[i].strip() != "```":
            line = readme_lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i >= len(readme_lines):
            raise ReadmeError(f"README.md:{start + 1}: the code block is never closed")
        i += 1
        if lang is None or lang == "console":
            if lang == "console":
                raise ReadmeError(f"README.md:{start + 1}: use ```sh for commands (console blocks are not checked)")
            continue
        number += 1
        # The marker: the previous non-blank line.
        j = start - 1
        while j >= 0 and not readme_lines[j].strip():
            j -= 1
        skip = None
        if j >= 0:
            mm = MARKER.search(readme_lines[j])
            if mm:
                directive = mm.group(1)
                dm = re.fullmatch(r"skip(?:\s*\((.+)\))?", directive)
                if not dm:
                    raise ReadmeError(f"README.md:{j + 1}: unknown readme-check marker '{directive}' (known: skip (reason))")
                skip = dm.group(1) or "marked skip"
        blocks.append(Block(number, start + 1, body, skip))
    # A marker that is not right before a shell block is a mistake (it would silently do nothing).
    fence_lines = {b.line for b in blocks}
    for k, line in enumerate(readme_lines):
        if MARKER.search(line):
            j = k + 1
            while j < len(readme_lines) and not readme_lines[j].strip():
                j += 1
            if j + 1 not in fence_lines:
                raise ReadmeError(f"README.md:{k + 1}: a readme-check marker must stand right before a ```sh block")
    return blocks


def split_commands(lines):
    """Top-level commands of a block as (first line index, last line index, [trailing comments]).

    A command ends at a newline outside quotes, `$( )`, `( )` and here-documents that does not follow
    a backslash, `|`, `&&` or `||`. Comment-only lines belong to no command."""
    text = "\n".join(lines) + "\n"
    commands = []
    stack = ["top"]
    line_no = 0
    start = None  # line index where the current command began
    comments = []
    heredocs = []  # delimiters waiting for the end of the current line
    code_on_line = ""  # code (no comment) on the current line, to see a trailing | or &&
    i = 0
    n = len(text)

    def word_start(k):
        return k == 0 or text[k - 1] in " \t\n;|&()"

    while i < n:
        c = text[i]
        ctx = stack[-1]
        if c == "\n":
            # Here-document bodies follow this line.
            for delim in heredocs:
                while True:
                    j = text.find("\n", i + 1)
                    if j < 0:
                        raise ReadmeError(f"here-document '{delim}' is never closed")
                    body_line = text[i + 1:j]
                    i = j
                    line_no += 1
                    if body_line.strip() == delim:
                        break
            heredocs = []
            trailing_op = re.search(r"(\|\||&&|\|)\s*$", code_on_line) is not None
            if ctx == "top" and start is not None and not trailing_op:
                commands.append((start, line_no, comments))
                start, comments = None, []
            code_on_line = ""
            line_no += 1
            i += 1
            continue
        if ctx == "sq":
            if c == "'":
                stack.pop()
            code_on_line += c
            i += 1
            continue
        if c == "\\":
            if text[i + 1:i + 2] == "\n":  # continuation
                if start is None:
                    start = line_no
                line_no += 1
                code_on_line = ""
                i += 2
                continue
            code_on_line += text[i:i + 2]
            i += 2
            continue
        if ctx == "dq":
            if c == '"':
                stack.pop()
            elif text.startswith("$(", i):
                stack.append("sub")
                code_on_line += "$("
                i += 2
                continue
            code_on_line += c
            i += 1
            continue
        # top, sub or paren: shell code
        if c == "#" and word_start(i):
            j = text.find("\n", i)
            comment = text[i + 1:j].strip()
            if start is not None or code_on_line.strip():
                comments.append(comment)
            i = j
            continue
        if not c.isspace() and start is None:
            start = line_no
        if c == "'":
            stack.append("sq")
        elif c == '"':
            stack.append("dq")
        elif text.startswith("$(", i):
            stack.append("sub")
            code_on_line += "$("
            i += 2
            continue
        elif c == "(":
            stack.append("paren")
        elif c == ")" and ctx in ("sub", "paren"):
            stack.pop()
        elif c == "`":
            raise ReadmeError("backquote command substitution: use $( ) in the README")
        elif text.startswith("<<", i) and not text.startswith("<<<", i):
            m = re.match(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1", text[i:])
            if not m:
                raise ReadmeError("a here-document without a plain delimiter")
            heredocs.append(m.group(2))
            code_on_line += m.group(0)
            i += len(m.group(0))
            continue
        code_on_line += c
        i += 1
    if stack != ["top"]:
        raise ReadmeError(f"unbalanced quotes or parentheses (still inside {stack[1:]})")
    if start is not None:
        commands.append((start, line_no, comments))
    return commands


PRELUDE = r"""
set -euo pipefail
__rc_dir="$READMECHECK_DIR"
__at() { __rc_line="$1"; echo "$1" >"$__rc_dir/at"; }
__expect() { export __rc_expect="$1"; rm -f "$__rc_dir/expect_met"; }
__expect_end() {
    if [ ! -e "$__rc_dir/expect_met" ]; then
        printf 'line=%s\nreason=the command announces %s but ran no curl that answered it\n' "$__rc_line" "$__rc_expect" >"$__rc_dir/failure"
        return 1
    fi
    unset __rc_expect
}
# curl as the README calls it, plus: headers to a file, a time limit, errors shown; the body passes
# through unchanged. Anything but 2xx fails the run unless the command announced it (# expect NNN).
curl() {
    local hdr body rc=0 status want ok=1 why=""
    hdr="$(mktemp "$__rc_dir/headers.XXXXXX")"
    body="$(mktemp "$__rc_dir/body.XXXXXX")"
    command curl --show-error --max-time 60 -D "$hdr" "$@" >"$body" || rc=$?
    status="$(awk '/^HTTP\//{s=$2} END{print s}' "$hdr" | tr -d '\r')"
    want="${__rc_expect:-}"
    if [ -z "$status" ]; then
        ok=0; why="curl exited $rc without an answer"
    elif [ -n "$want" ]; then
        if [ "$status" = "$want" ]; then touch "$__rc_dir/expect_met"; else ok=0; why="answered $status, the README announces $want"; fi
    elif [ "${status#2}" = "$status" ]; then
        ok=0; why="answered $status, not 2xx (announce an intended error with a trailing '# expect $status')"
    fi
    if [ "$ok" = 1 ] && [ "$rc" != 0 ] && ! { [ "$rc" = 22 ] && [ -n "$want" ]; }; then
        ok=0; why="curl exited $rc (status $status)"
    fi
    printf '%s\t%s\t%s\n' "${__rc_line:-?}" "${status:--}" "$(printf '%q ' curl "$@")" >>"$__rc_dir/calls"
    if [ "$ok" = 0 ]; then
        {
            printf 'line=%s\nreason=%s\n' "${__rc_line:-?}" "$why"
            printf 'command=%s\n' "$(printf '%q ' curl "$@")"
            echo "--- headers"; cat "$hdr"
            echo "--- body"; head -c 4000 "$body"; echo
        } >"$__rc_dir/failure"
        return 1
    fi
    cat "$body" 2>/dev/null || true   # a reader that stops early (| head -1) is not a failure
    rm -f "$hdr" "$body"
}
"""

SWIFT_SHIM = r"""#!/bin/sh
# readme_check.py's stand-in for swift: `swift run medvirk ARGS` runs the binary under test;
# `swift build` and `swift test` are skipped (CI runs them in their own stages).
case "$1" in
    run)
        shift
        while [ $# -gt 0 ] && [ "$1" != medvirk ]; do
            case "$1" in -c|--configuration|--package-path) shift ;; esac
            shift
        done
        if [ "${1:-}" != medvirk ]; then echo "readme_check swift shim: expected 'swift run medvirk ...'" >&2; exit 2; fi
        shift
        exec "$READMECHECK_BIN" "$@"
        ;;
    build|test)
        echo "readme_check: skipping 'swift $*' (CI runs it in its own stage)" >&2
        exit 0
        ;;
    *)
        echo "readme_check swift shim: unsupported 'swift $*'" >&2
        exit 2
        ;;
esac
"""


def build_script(blocks):
    """One bash script: the prelude, then each runnable block with bookkeeping lines between commands."""
    out = [PRELUDE]
    for block in blocks:
        if block.skip:
            continue
        for k, line in enumerate(block.lines):
            if LITERAL_DATE.search(line):
                raise ReadmeError(f"README.md:{block.line + 1 + k}: a literal date stops working next year; compute it "
                                  f"(python3, see the tour's helpers): {line.strip()}")
            if LITERAL_RECEIPT.search(line):
                raise ReadmeError(f"README.md:{block.line + 1 + k}: take the receipt number from the submission's answer: "
                                  f"{line.strip()}")
        try:
            commands = split_commands(block.lines)
        except ReadmeError as e:
            raise ReadmeError(f"README.md:{block.line} (block {block.number}): {e}")
        starts = {s: (e, cs) for s, e, cs in commands}
        ends = {}
        out.append(f"echo '== README.md:{block.line} (block {block.number})' >&2")
        for k, line in enumerate(block.lines):
            readme_line = block.line + 1 + k
            if k in starts:
                end, comments = starts[k]
                out.append(f"__at {readme_line}")
                expects = [m.group(1) for c in comments for m in [EXPECT.search(c)] if m]
                if len(expects) > 1:
                    raise ReadmeError(f"README.md:{readme_line}: more than one '# expect' on one command")
                if expects:
                    out.append(f"__expect {expects[0]}")
                    ends[end] = True
            out.append(line)
            if k in ends:
                out.append("__expect_end")
    out.append("__at end")
    return "\n".join(out) + "\n"


def port_free(port):
    """Nothing answers on the port and it can be bound (as the server will, with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.settimeout(1)
        if s.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_ready(server, log_path):
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise ReadmeError(f"the demo server exited with status {server.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{BASE}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise ReadmeError(f"the demo server was not ready within 90 s:\n{tail(log_path)}")


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def show_failure(blocks, state, failure_text, rc, stdout_text, stderr_text, server_log):
    info, rest = {}, []
    for line in failure_text.splitlines():
        m = re.match(r"(line|reason|command)=(.*)", line)
        if m and m.group(1) not in info:
            info[m.group(1)] = m.group(2)
        else:
            rest.append(line)
    at = info.get("line")
    if at is None:
        try:
            with open(os.path.join(state, "at")) as f:
                at = f.read().strip()
        except OSError:
            at = "?"
    say = lambda text="": print(text, file=sys.stderr)
    say(f"\nREADME CHECK FAILED at README.md:{at}")
    say(f"  {info['reason']}" if "reason" in info else f"  a command exited with status {rc}")
    if at.isdigit():
        n = int(at)
        for block in blocks:
            if block.skip or not block.line < n <= block.line + len(block.lines):
                continue
            failing = next(((s, e) for s, e, _ in split_commands(block.lines) if block.line + 1 + s == n), (None, None))
            say(f"\n--- block {block.number} (README.md:{block.line}), the failing command marked >>:")
            for k, line in enumerate(block.lines):
                mark = ">>" if failing[0] is not None and failing[0] <= k <= failing[1] else "  "
                say(f"{mark} {block.line + 1 + k:4d}  {line}")
    if "command" in info:
        say(f"\n--- curl as run (the runner adds -D, --max-time and --show-error):\n{masked(info['command'])}")
    if rest:
        say("\n".join(rest))
    if stdout_text.strip():
        say("\n--- stdout of the blocks (last lines):")
        say("\n".join(stdout_text.strip().splitlines()[-10:])[-3000:])
    if stderr_text.strip():
        say("\n--- stderr of the blocks (last lines):")
        say("\n".join(stderr_text.strip().splitlines()[-25:]))
    say("\n--- server log (last lines):")
    say(tail(server_log, 15))


def stop_server(server, server_log):
    """SIGTERM, as an operator would; the server must drain and exit 0. Returns a problem or None."""
    if server.poll() is not None:
        return f"the server exited ({server.returncode}) during the run:\n{tail(server_log)}"
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return "the server did not stop within 30 s of SIGTERM"
    if server.returncode != 0:
        return f"the server exited {server.returncode} on SIGTERM:\n{tail(server_log)}"
    with open(server_log, encoding="utf-8", errors="replace") as f:
        bad = [line for line in f if "Fatal error" in line or "internal-error" in line]
    if bad:
        return "the server logged an internal error:\n" + "".join(bad[:5])
    return None


def masked(command):
    """A command line for the log, API tokens left out (they are throwaway, but look like secrets)."""
    return re.sub(r"(Bearer(?:\\ |\s)+)\S+", r"\1…", command)


def main():
    sys.stdout.reconfigure(line_buffering=True)
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = os.path.abspath(sys.argv[2]) if len(sys.argv) == 3 else os.path.join(repo, "README.md")
    if not os.access(binary, os.X_OK):
        print(f"readme_check: {binary} is not an executable", file=sys.stderr)
        return 2
    started = time.time()
    with open(readme, encoding="utf-8") as f:
        readme_lines = f.read().split("\n")
    try:
        blocks = extract_blocks(readme_lines)
        script = build_script(blocks)
    except ReadmeError as e:
        print(f"readme_check: {e}", file=sys.stderr)
        return 1
    runnable = [b for b in blocks if not b.skip]
    if not runnable:
        print("readme_check: README.md has no runnable shell block", file=sys.stderr)
        return 1
    if not port_free(PORT):
        print(f"readme_check: port {PORT} is in use; the README's commands talk to http://127.0.0.1:{PORT}, "
              f"so stop whatever listens there and run again", file=sys.stderr)
        return 1

    work = tempfile.mkdtemp(prefix="readme-check-")
    cwd = os.path.join(work, "medvirk")  # what the reader's checkout is to the commands
    state = os.path.join(work, "state")
    shim_dir = os.path.join(work, "bin")
    for d in (cwd, state, shim_dir):
        os.makedirs(d)
    for name in ("Migrations", "openapi.yaml"):
        os.symlink(os.path.join(repo, name), os.path.join(cwd, name))
    shim = os.path.join(shim_dir, "swift")
    with open(shim, "w") as f:
        f.write(SWIFT_SHIM)
    os.chmod(shim, 0o755)
    script_path = os.path.join(state, "readme.sh")
    with open(script_path, "w") as f:
        f.write(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDVIRK_")}
    env["PATH"] = shim_dir + os.pathsep + env.get("PATH", "")
    env["READMECHECK_BIN"] = binary
    env["READMECHECK_DIR"] = state

    server_log = os.path.join(state, "server.log")
    with open(server_log, "w") as log:
        server = subprocess.Popen([binary, "serve", "--demo"], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=subprocess.STDOUT)
    calls, problem = [], None
    try:
        wait_ready(server, server_log)
        print(f"readme_check: demo server ready on {BASE} in {cwd}; running {len(runnable)} of {len(blocks)} shell blocks")
        failure = os.path.join(state, "failure")
        try:
            run = subprocess.run(["bash", "--noprofile", "--norc", script_path], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=RUN_TIMEOUT)
            rc, out, err = run.returncode, run.stdout, run.stderr
            if os.environ.get("READMECHECK_VERBOSE"):
                print(run.stdout + run.stderr)
        except subprocess.TimeoutExpired as e:
            text_of = lambda x: x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
            rc, out, err = 124, text_of(e.stdout), text_of(e.stderr)
            with open(failure, "a") as f:
                f.write(f"reason=the blocks did not finish within {RUN_TIMEOUT} s\n")
        if rc != 0 or os.path.exists(failure):
            text = open(failure, encoding="utf-8", errors="replace").read() if os.path.exists(failure) else ""
            show_failure(blocks, state, text, rc, out, err, server_log)
            problem = "a README command failed"
        else:
            with open(os.path.join(state, "calls"), encoding="utf-8") as f:
                calls = [tuple(line.rstrip("\n").split("\t", 2)) for line in f]
            for at, status, command in calls:
                print(f"  README.md:{at:>4}  {status}  {masked(command)[:120]}")
    except ReadmeError as e:
        problem = str(e)
    finally:
        stopped = stop_server(server, server_log)
        problem = problem or stopped
    if problem:
        if problem != "a README command failed":
            print(f"readme_check: {problem}", file=sys.stderr)
        print(f"readme_check: kept {work} for a look", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    statuses = {}
    for _, status, _ in calls:
        statuses[status] = statuses.get(status, 0) + 1
    summary = ", ".join(f"{n}×{s}" for s, n in sorted(statuses.items()))
    skipped = [b for b in blocks if b.skip]
    print(f"readme_check: README.md runs: {len(runnable)} blocks, {len(calls)} curl calls ({summary}); "
          f"{len(skipped)} blocks skipped ({'; '.join(f'README.md:{b.line} {b.skip}' for b in skipped)}); "
          f"{time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
