#!/usr/bin/env python3
"""The command line as a newcomer meets it: `--version`, a mistyped `--db` never passing silently, and a
port already in use named with the option to change it. Usage: .ci/cli_check.py path/to/medvirk"""
import os
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def run(*args, timeout=30):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def expect(condition, what, result=None):
    if not condition:
        detail = f"\n  exit {result.returncode}\n  stdout: {result.stdout!r}\n  stderr: {result.stderr!r}" if result else ""
        failures.append(what + detail)


with tempfile.TemporaryDirectory() as work:
    version = run("--version")
    expect(version.returncode == 0 and version.stdout.strip()[:1].isdigit(), "--version prints the release", version)

    missing = os.path.join(work, "typo", "medvirk.sqlite")
    for command in (["token", "list"], ["token", "revoke", "tok_x"], ["backup", "--to", os.path.join(work, "copy.sqlite")],
                    ["migrate", "--status"]):
        result = run(*command, "--db", missing)
        expect(result.returncode != 0 and missing in result.stderr and not os.path.exists(missing),
               f"{' '.join(command)} on a missing database fails naming {missing}", result)

    # An empty or foreign file is not written into by a command that only reads or copies.
    foreign = os.path.join(work, "notes.txt")
    open(foreign, "w").close()
    for command in (["token", "list"], ["backup", "--to", os.path.join(work, "copy2.sqlite")]):
        result = run(*command, "--db", foreign)
        expect(result.returncode != 0 and "not a medvirk database" in result.stderr and os.path.getsize(foreign) == 0,
               f"{' '.join(command)} refuses a file that is not a medvirk database", result)
    unreachable = run("serve", "--db", os.path.join(work, "no", "such", "dir", "x.sqlite"), "--port", "0")
    expect(unreachable.returncode != 0 and os.path.join(work, "no", "such", "dir", "x.sqlite") in unreachable.stderr,
           "serve names a database path it cannot open", unreachable)

    fresh = os.path.join(work, "fresh.sqlite")
    created = run("token", "create", "--name", "CLI check", "--scope", "admin", "--db", fresh)
    expect(created.returncode == 0 and f"created a new database at {fresh}" in created.stderr and created.stdout.startswith("mvk_"),
           "token create on a new path says it created the database", created)
    backup = subprocess.run([BIN, "backup", "--db", fresh, "--to", os.path.join(work, "b.sqlite")], capture_output=True, text=True,
                            timeout=30, cwd=work)
    expect(backup.returncode == 0, "backup works outside the checkout, without a migrations folder", backup)
    again = run("token", "create", "--name", "CLI check 2", "--scope", "partner", "--db", fresh)
    expect(again.returncode == 0 and "created a new database" not in again.stderr, "an existing database is not 'created' again", again)
    migrated = run("migrate", "--db", os.path.join(work, "migrated.sqlite"))
    expect(migrated.returncode == 0 and "created a new database at" in migrated.stderr, "migrate on a new path says so", migrated)

    # A port that is taken: the error names it and --port.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    busy = run("serve", "--db", fresh, "--port", str(port), "--log-level", "error", timeout=60)
    holder.close()
    expect(busy.returncode != 0 and f"port {port}" in busy.stderr and "--port" in busy.stderr,
           "serve on a port in use names the port and --port", busy)

    # A Unix socket a live server answers on is not taken over by a second server.
    sock = os.path.join(work, "m.sock")
    first = subprocess.Popen([BIN, "serve", "--db", fresh, "--unix-socket", sock, "--log-level", "error"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        time.sleep(0.5)
        second = run("serve", "--db", fresh, "--unix-socket", sock, "--log-level", "error", timeout=30)
        expect(second.returncode != 0 and sock in second.stderr and "--unix-socket" in second.stderr,
               "a second serve on a live Unix socket is refused, naming it", second)
    finally:
        first.terminate()
        first.wait(timeout=30)

    # Bad settings stop the server before any database is created, naming the variable or option.
    def run_env(env, *args):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30, cwd=ROOT,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("MEDVIRK_")}, **env})
    for env, args, named in [
        ({"MEDVIRK_PORT": "http"}, [], "MEDVIRK_PORT"),
        ({"MEDVIRK_DEMO": "true"}, [], "MEDVIRK_DEMO"),
        ({"MEDVIRK_LOG_CLIENT_ADDRESS": "yes"}, [], "MEDVIRK_LOG_CLIENT_ADDRESS"),
        ({"MEDVIRK_IDLE_TIMEOUT": "inf"}, [], "--idle-timeout"),
        ({}, ["--idle-timeout", "1e300"], "--idle-timeout"),
        ({}, ["--token-rate-limit", "-5"], "--token-rate-limit"),
    ]:
        target = os.path.join(work, "settings.sqlite")
        port_args = [] if "MEDVIRK_PORT" in env else ["--port", "0"]
        bad = run_env(env, "serve", "--db", target, *port_args, *args)
        expect(bad.returncode != 0 and named in bad.stderr and not os.path.exists(target),
               f"serve with {env or args} is refused naming {named}, before a database is created", bad)

if failures:
    print("cli_check: FAILED\n- " + "\n- ".join(failures))
    sys.exit(1)
print("cli_check: --version, missing databases refused by name, new ones announced, a busy port named, bad settings refused by name")
