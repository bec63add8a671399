#!/usr/bin/env python3
"""Webhooks end to end, as a partner and a municipal website use them (issue 18).

Usage: python3 .ci/webhook_check.py path/to/medvirk

Starts `medvirk serve --demo --webhook-allow-private` on its own database and port (the clock's
`closing_soon` lead shortened to 8 s) and a receiver on 127.0.0.1 that verifies every delivery with the
`standardwebhooks` package from PyPI, an implementation independent of ours. Then:
- a partner subscribes to its responses' events, submits a response and receives `response.received`, and
  once an admin publishes it `response.published`; a second partner subscribed to the same events receives
  nothing of them;
- a website's subscription receives `consultation.opened`, `consultation.closing_soon` and
  `consultation.closed` from the clock for a consultation that opens 3 s after it is published;
- a rotated secret signs beside the old one (both verify); a ping and a redelivery arrive with their ids;
- `GET …/deliveries` lists what was delivered, and `/metrics` counts it.
Exits non-zero on any failure.
"""
import json
import os
import signal
import socket
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
WORK = tempfile.mkdtemp(prefix="medvirk-webhooks-")
DB = os.path.join(WORK, "webhooks.sqlite")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, token=None, body=None, content_type="application/json", headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text.startswith(b"{") else text.decode()
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Receiver:
    """Records each delivery by path after standardwebhooks verified it with that path's secrets."""

    def __init__(self):
        self.lock, self.secrets, self.got, self.forged = threading.Lock(), {}, {}, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers)
                with receiver.lock:
                    secrets = list(receiver.secrets.get(self.path, []))
                verified = []
                for secret in secrets:
                    try:
                        verified.append(Webhook(secret).verify(body, headers))
                    except Exception as error:
                        receiver.forged.append(f"{self.path}: {error}")
                with receiver.lock:
                    if verified:
                        receiver.got.setdefault(self.path, []).append((headers, verified[0], len(verified)))
                self.send_response(204 if verified else 400)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, path):
        with self.lock:
            return [event for _, event, _ in self.got.get(path, [])]

    def wait(self, path, predicate, what, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if predicate(self.events(path)):
                return self.events(path)
            time.sleep(0.1)
        raise SystemExit(f"{path}: waited {seconds} s for {what}; got {[e['type'] for e in self.events(path)]}")


def token(scope, name):
    return subprocess.run([BIN, "token", "create", "--db", DB, "--name", name, "--scope", scope],
                          check=True, capture_output=True, text=True).stdout.strip()


def subscribe(receiver, who, path, events, **extra):
    status, hook = call("POST", "/v1/webhooks", who, {"url": receiver.base + path, "events": events, **extra})
    assert status == 201 and hook["secret"].startswith("whsec_"), (status, hook)
    with receiver.lock:
        receiver.secrets[path] = [hook["secret"]]
    return hook


def main():
    log = open(os.path.join(WORK, "server.log"), "w")
    server = subprocess.Popen([BIN, "serve", "--demo", "--db", DB, "--port", str(PORT), "--log-level", "warning",
                               "--webhook-allow-private", "--closing-soon-lead", "8", "--webhook-retry-schedule", "1s,1s"],
                              stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(BASE + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        admin, partner, other, website = (token("admin", "check admin"), token("partner", "Borgerportalen"),
                                          token("partner", "Anden partner"), token("partner", "Kommunens hjemmeside"))
        receiver = Receiver()
        municipality = call("GET", "/v1/municipalities")[1]["data"][0]["id"]
        response_events = ["response.received", "response.published", "response.withheld"]
        mine = subscribe(receiver, partner, "/partner", response_events)
        subscribe(receiver, other, "/other", response_events)
        subscribe(receiver, website, "/website", ["consultation.opened", "consultation.closing_soon", "consultation.closed"],
                  municipality_id=municipality, description="Høringer på kommunens hjemmeside")

        now = time.time()
        stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        status, consultation = call("POST", "/v1/consultations", admin, {
            "municipality_id": municipality, "title": "Webhook-høring", "status": "published", "publish_responses": "on_approval",
            "short_period_reason": "Kort frist i webhook-tjekket", "opens_at": stamp(now + 3), "closes_at": stamp(now + 16)})
        assert status == 201, consultation
        cid = consultation["id"]

        receiver.wait("/website", lambda e: any(x["type"] == "consultation.opened" for x in e), "consultation.opened")
        status, answer = call("POST", f"/v1/consultations/{cid}/responses", partner, {
            "respondent": {"kind": "organisation", "name": "Ældresagen Fjordby", "email": "post@example.dk", "publish_name": True},
            "text": "Vi støtter forslaget."}, headers={"Idempotency-Key": "webhook-check-1"})
        assert status == 201, answer
        rid = answer["id"]
        events = receiver.wait("/partner", lambda e: len(e) >= 1, "response.received")
        assert events[0]["type"] == "response.received" and events[0]["data"]["id"] == rid, events
        assert "post@example.dk" not in json.dumps(events) and "Ældresagen" not in json.dumps(events), "a delivery carried personal data"
        status, body = call("PATCH", f"/v1/responses/{rid}", admin, {"status": "published"}, "application/merge-patch+json")
        assert status == 200, body
        events = receiver.wait("/partner", lambda e: len(e) >= 2, "response.published")
        assert [e["type"] for e in events] == ["response.received", "response.published"], events
        assert events[0]["seq"] < events[1]["seq"], events
        print(f"partner: response.received and response.published for {rid}, verified by standardwebhooks")

        site = receiver.wait("/website", lambda e: any(x["type"] == "consultation.closed" for x in e), "consultation.closed", 40)
        assert [e["type"] for e in site] == ["consultation.opened", "consultation.closing_soon", "consultation.closed"], site
        assert all(e["data"]["id"] == cid and e["data"]["href"] == f"/v1/consultations/{cid}" for e in site), site
        print("website: consultation.opened, .closing_soon and .closed from the clock")

        status, rotated = call("POST", f"/v1/webhooks/{mine['id']}/rotate-secret", partner)
        assert status == 200 and rotated["secret"] != mine["secret"], rotated
        with receiver.lock:
            receiver.secrets["/partner"] = [mine["secret"], rotated["secret"]]
        status, ping = call("POST", f"/v1/webhooks/{mine['id']}/ping", partner)
        assert status == 202, ping
        receiver.wait("/partner", lambda e: len(e) >= 3, "the ping")
        with receiver.lock:
            headers, event, verified = receiver.got["/partner"][2]
        assert event["type"] == "webhook.ping" and verified == 2, (event, verified)
        print("rotation: the old and the new secret both verify during the overlap")

        # An attempt is recorded just after the receiver has answered it.
        for _ in range(100):
            status, page = call("GET", f"/v1/webhooks/{mine['id']}/deliveries", partner)
            if status != 200 or [d["status"] for d in page["data"]] == ["delivered"] * 3:
                break
            time.sleep(0.1)
        assert status == 200 and [d["status"] for d in page["data"]] == ["delivered"] * 3, page
        first = page["data"][-1]
        status, again = call("POST", f"/v1/webhooks/deliveries/{first['id']}/redeliver", partner)
        assert status == 202 and again["event_id"] == first["event_id"], again
        receiver.wait("/partner", lambda e: len(e) >= 4, "the redelivery")
        with receiver.lock:
            ids = [h.get("webhook-id") for h, _, _ in receiver.got["/partner"]]
        assert ids[3] == ids[0], ids
        print("redelivery: sent again with the same webhook-id")

        time.sleep(0.5)
        assert receiver.events("/other") == [], f"another partner heard of this partner's response: {receiver.events('/other')}"
        assert not receiver.forged, f"deliveries standardwebhooks did not verify: {receiver.forged}"
        status, metrics = call("GET", "/metrics")
        assert status == 200 and 'medvirk_webhook_attempts_total{outcome="delivered"}' in metrics, metrics[-500:]
        status, listed = call("GET", "/v1/webhooks", other)
        assert status == 200 and len(listed["data"]) == 1 and "secret" not in listed["data"][0], listed
        print("webhook check passed")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        with open(os.path.join(WORK, "server.log")) as text:
            content = text.read()
        if "Fatal error" in content or "internal-error" in content:
            raise SystemExit("the server logged an internal error:\n" + content[-2000:])


if __name__ == "__main__":
    main()
