#!/usr/bin/env python3
"""Crash safety and graceful shutdown, against the real binary.

1. Many clients submit hearing responses while others upload 3 MiB files; the server is killed with SIGKILL
   mid-stream and restarted. Every response that got a 201 must be stored with the same receipt and text,
   PRAGMA integrity_check must say ok, and retrying each unacknowledged submission with its Idempotency-Key
   stores it exactly once. Every acknowledged upload must read back with its sha256, and no file may be
   readable whose stored chunks are not its whole content (a half-written upload stays invisible).
   A webhook subscription (admin, `response.received`) to a local receiver that fails every fortieth request
   must, after the restart, have delivered every stored response's event at least once, each verified by the
   `standardwebhooks` package, and no event for a response that is not stored.
2. Clients submit while the server gets SIGTERM: it must finish the requests in flight, commit them, and
   exit 0; every 201 is stored after a restart.

Usage: crash_test.py path/to/medvirk [clients] [seconds]
"""
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

BIN = sys.argv[1]
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
WORK = tempfile.mkdtemp(prefix="medvirk-crash-")
DB = os.path.join(WORK, "crash.sqlite")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


def token(scope):
    return subprocess.run([BIN, "token", "create", "--db", DB, "--name", f"crash {scope}", "--scope", scope],
                          check=True, capture_output=True, text=True).stdout.strip()


def start():
    log = open(os.path.join(WORK, "server.log"), "a")
    proc = subprocess.Popen([BIN, "serve", "--db", DB, "--port", str(PORT), "--log-level", "warning",
                             "--address-rate-limit", "0", "--token-rate-limit", "0",
                             "--webhook-allow-private", "--webhook-retry-schedule", "1s,1s,1s,1s,1s"], stdout=log, stderr=log)
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/readyz", timeout=1)
            return proc
        except Exception:
            time.sleep(0.1)
    raise SystemExit("server did not become ready")


def call(method, path, token=None, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def submission(key):
    return {"respondent": {"kind": "citizen", "name": f"Borger {key}", "email": "borger@example.dk", "publish_name": False},
            "text": f"Høringssvar {key}: jeg støtter forslaget."}


def submit(partner, consultation, key, timeout=10):
    return call("POST", f"/v1/consultations/{consultation}/responses", partner, submission(key),
                {"Idempotency-Key": key}, timeout=timeout)


def burst(partner, consultation, prefix, stop):
    """Clients submitting until `stop` is set or the server goes away: (acknowledged, unacknowledged)."""
    acked, unacked, lock = {}, [], threading.Lock()

    def client(n):
        i = 0
        while not stop.is_set():
            key = f"{prefix}-{n}-{i}"
            i += 1
            try:
                status, _, body = submit(partner, consultation, key)
            except Exception:
                with lock:
                    unacked.append(key)
                return
            with lock:
                if status == 201:
                    acked[key] = body
                else:
                    raise SystemExit(f"submission {key} answered {status}: {body}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    return threads, acked, unacked


UPLOAD_BYTES = 3 << 20


def upload_burst(partner, stop, uploaders=2):
    """Clients uploading distinct 3 MiB PDFs until `stop` is set or the server goes away: {file id: sha256}."""
    acked, lock = {}, threading.Lock()

    def client(n):
        i = 0
        while not stop.is_set():
            body = b"%PDF-1.4\n" + os.urandom(UPLOAD_BYTES) + b"\n%%EOF\n"
            request = urllib.request.Request(f"{BASE}/v1/files?municipality=crashby", data=body, method="POST", headers={
                "Authorization": f"Bearer {partner}", "Content-Type": "application/pdf", "Idempotency-Key": f"upload-{n}-{i}"})
            i += 1
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = json.loads(response.read())
            except urllib.error.HTTPError as error:
                raise SystemExit(f"upload answered {error.code}: {error.read()[:300]}")
            except Exception:
                return
            assert answer["sha256"] == hashlib.sha256(body).hexdigest(), "the answer's sha256 is not the body's"
            with lock:
                acked[answer["id"]] = answer["sha256"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(uploaders)]
    for thread in threads:
        thread.start()
    return threads, acked


def check_files(partner, uploads):
    for file_id, digest in uploads.items():
        request = urllib.request.Request(f"{BASE}/v1/files/{file_id}/content", headers={"Authorization": f"Bearer {partner}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert hashlib.sha256(response.read()).hexdigest() == digest, f"acknowledged upload {file_id} reads back other bytes"
    with sqlite3.connect(DB) as db:
        broken = db.execute("""
            SELECT f.id FROM files f JOIN file_contents c ON c.id = f.content_id
            WHERE c.sha256 IS NULL OR c.sha256 != f.sha256
               OR c.size != (SELECT coalesce(sum(length(data)), 0) FROM file_chunks WHERE content_id = c.id)""").fetchall()
    assert not broken, f"files whose stored content is incomplete: {broken}"


def check_stored(admin, acked):
    for key, answer in acked.items():
        status, _, stored = call("GET", f"/v1/responses/{answer['id']}", admin)
        assert status == 200, f"acknowledged {key} is missing after the restart ({status})"
        assert stored["receipt_number"] == answer["receipt_number"], f"{key}: receipt changed"
        assert stored["text"] == submission(key)["text"], f"{key}: text changed"


def stored_responses(admin, consultation):
    ids, cursor = set(), None
    while True:
        status, _, page = call("GET", f"/v1/consultations/{consultation}/responses?limit=200" + (f"&cursor={cursor}" if cursor else ""), admin)
        assert status == 200, page
        ids |= {item["id"] for item in page["data"]}
        cursor = page["next_cursor"]
        if not cursor:
            return ids


class Receiver:
    """Webhook receiver on 127.0.0.1: verifies each delivery with standardwebhooks, answers every fortieth with 503."""

    def __init__(self):
        self.secret, self.lock, self.events, self.requests, self.forged = None, threading.Lock(), [], 0, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests += 1
                    refuse = receiver.requests % 40 == 0
                status = 503 if refuse else 204
                if not refuse:
                    try:
                        event = Webhook(receiver.secret).verify(body, dict(self.headers))
                        with receiver.lock:
                            receiver.events.append(event)
                    except Exception as error:
                        receiver.forged.append(str(error))
                        status = 400
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def response_ids(self):
        with self.lock:
            return [e["data"]["id"] for e in self.events if e["type"] == "response.received"]


def main():
    admin, partner = token("admin"), token("partner")
    server = start()
    assert call("POST", "/v1/municipalities", admin, {"id": "crashby", "name": "Crashby Kommune", "country": "DK",
                                                       "time_zone": "Europe/Copenhagen"})[0] == 201
    now = time.time()
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    status, _, consultation = call("POST", "/v1/consultations", admin, {
        "municipality_id": "crashby", "title": "Kraschtest", "status": "published", "short_period_reason": "Crash test",
        "opens_at": fmt(now - 3600), "closes_at": fmt(now + 86400)})
    assert status == 201, consultation
    consultation = consultation["id"]
    receiver = Receiver()
    status, _, hook = call("POST", "/v1/webhooks", admin, {"url": receiver.url, "events": ["response.received"]})
    assert status == 201, hook
    receiver.secret = hook["secret"]

    # 1. SIGKILL mid-stream, with uploads under way.
    stop = threading.Event()
    threads, acked, unacked = burst(partner, consultation, "kill", stop)
    upload_threads, uploads = upload_burst(partner, stop)
    time.sleep(SECONDS)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in threads + upload_threads:
        thread.join()
    print(f"killed the server with {len(acked)} acknowledged and {len(unacked)} unacknowledged submissions, {len(uploads)} acknowledged uploads")
    assert len(acked) > 0, "nothing was acknowledged before the kill"

    integrity = sqlite3.connect(DB).execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok", integrity
    unfinished = sqlite3.connect(DB).execute("SELECT count(*) FROM file_contents WHERE sha256 IS NULL").fetchone()[0]
    print(f"{unfinished} upload(s) cut off mid-stream left unfinished contents, which no file points at (purged later)")
    server = start()
    check_stored(admin, acked)
    check_files(partner, uploads)
    print(f"uploads: every acknowledged file reads back with its sha256; no file with a partial content")
    for key in unacked:
        status, _, body = submit(partner, consultation, key)
        assert status == 201, f"retrying {key}: {status} {body}"
        again_status, headers, again = submit(partner, consultation, key)
        assert again_status == 201 and headers.get("Idempotency-Replayed") == "true", f"{key} was not replayed"
        assert again["receipt_number"] == body["receipt_number"], f"{key}: the replay has another receipt"
    stored_ids = stored_responses(admin, consultation)
    stored = len(stored_ids)
    assert stored == len(acked) + len(unacked), f"{stored} stored for {len(acked)} + {len(unacked)} distinct submissions"
    print(f"after the restart: every 201 stored unchanged, integrity ok, {len(unacked)} retries stored once; {stored} in all")
    deadline = time.time() + 120
    while not stored_ids <= set(receiver.response_ids()) and time.time() < deadline:
        time.sleep(0.2)
    received = receiver.response_ids()
    missing = stored_ids - set(received)
    assert not missing, f"{len(missing)} stored responses were never delivered as response.received, e.g. {sorted(missing)[:3]}"
    assert not receiver.forged, f"deliveries standardwebhooks did not verify: {receiver.forged[:3]}"
    invented = set(received) - stored_ids
    assert not invented, f"events for responses that are not stored: {sorted(invented)[:3]}"
    print(f"webhooks: every stored response's response.received delivered and verified by standardwebhooks "
          f"({len(received)} deliveries for {stored} responses, {receiver.requests} requests with every fortieth refused)")

    # 2. SIGTERM drains what is in flight and exits cleanly.
    stop = threading.Event()
    threads, acked, unacked = burst(partner, consultation, "term", stop)
    time.sleep(SECONDS / 2)
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=60)
    stop.set()
    for thread in threads:
        thread.join()
    assert code == 0, f"the server exited with {code} after SIGTERM"
    server = start()
    check_stored(admin, acked)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    print(f"SIGTERM: exit 0, {len(acked)} acknowledged submissions all stored")
    with open(os.path.join(WORK, "server.log")) as log:
        text = log.read()
    assert "Fatal error" not in text and "internal-error" not in text, "the server logged an internal error"
    print("crash test passed")


if __name__ == "__main__":
    main()
