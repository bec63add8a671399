#!/usr/bin/env python3
"""The demo's published hearing memos, as the public reads them (issue 17).

Usage: python3 .ci/memo_check.py path/to/medvirk [artifact directory]

Starts `medvirk serve --demo` on its own database and port, finds the concluded consultations of Fjordby
(Danish) and Nordvik (Norwegian), and for each:
- reads the published memo in all four formats as an anonymous caller (JSON, Markdown, HTML, CSV) and checks
  their types, the HTML's Content-Security-Policy (inline styles only), `lang` and escaping;
- checks the memo's party list against `GET …/parties`: every party exactly once, in the language's
  alphabetical order (Æ, Ø, Å after Z; "Aa" as Å, by the C library's da_DK/nb_NO collation when installed,
  else by the rule spelled out here), and marked answered exactly where the party list says it responded;
- opens the HTML in headless Chromium (the Debian package, driven by Playwright) with JavaScript off, records
  any Content-Security-Policy violation or console error, and saves a screenshot to the artifact directory
  (default: a temporary one, printed) so a person can look at it.
Exits non-zero on any failure.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def nordic_key(name):
    """Danish/Norwegian order: letters A–Z, then Æ, Ø, Å; "Aa" counts as Å; case ignored."""
    folded = name.casefold()
    if folded.startswith("aa"):
        folded = "å" + folded[2:]
    order = {"æ": 27, "ä": 27, "ø": 28, "ö": 28, "å": 29}
    return [order.get(c, ord(c) - ord("a") + 1 if "a" <= c <= "z" else 100 + ord(c)) for c in folded]


def check_memo(base, consultation, artifacts):
    cid = consultation["id"]
    status, headers, body = get(base, f"/v1/consultations/{cid}/memo")
    check(status == 200 and headers["Content-Type"].startswith("application/json"), f"{cid}: JSON memo {status}")
    memo = json.loads(body)
    check(memo["draft"] is False and memo["version"] >= 1, f"{cid}: the public memo is a published version")
    language = memo["language"]
    # The party list, against what GET …/parties shows everyone.
    status, _, body = get(base, f"/v1/consultations/{cid}/parties?limit=200")
    parties = json.loads(body)["data"]
    names = [p["name"] for p in memo["parties"]]
    check(sorted(names) == sorted(p["name"] for p in parties), f"{cid}: memo parties {names} != /parties")
    check(len(set(names)) == len(names), f"{cid}: a party appears twice: {names}")
    check(names == sorted(names, key=nordic_key), f"{cid}: parties not in {language} alphabetical order: {names}")
    responded = {p["name"]: p["responded"] for p in parties}
    for line in memo["parties"]:
        check((line["answer"] != "no_response") == responded[line["name"]], f"{cid}: {line} against /parties")
    check(any(p["answer"] == "no_comments" for p in memo["parties"]), f"{cid}: the demo has a 'no comments' party")
    for fmt, media in (("markdown", "text/markdown"), ("csv", "text/csv"), ("html", "text/html")):
        status, headers, body = get(base, f"/v1/consultations/{cid}/memo?format={fmt}")
        check(status == 200 and headers["Content-Type"] == f"{media}; charset=utf-8", f"{cid}: {fmt} {status} {headers['Content-Type']}")
        text = body.decode("utf-8")
        check(memo["title"] in text or fmt == "csv", f"{cid}: {fmt} lacks the title")
        if fmt == "html":
            check(headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                  f"{cid}: HTML policy {headers['Content-Security-Policy']}")
            check(f'<html lang="{language}">' in text and "<script" not in text, f"{cid}: HTML lang or script")
            path = os.path.join(artifacts, f"memo-{language}-{cid}.html")
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            screenshot(base + f"/v1/consultations/{cid}/memo?format=html", os.path.join(artifacts, f"memo-{language}-{cid}.png"), cid)
        if fmt == "csv":
            receipts = {r["receipt_number"] for s in memo["sections"] for r in s["responses"]}
            check(text.startswith("\ufeff") and text.count("\r\n") == 1 + len(receipts), f"{cid}: CSV has a row per response")
    return language


def screenshot(url, path, cid):
    from playwright.sync_api import sync_playwright
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(java_script_enabled=False, viewport={"width": 900, "height": 1200})
            page.on("console", lambda message: problems.append(f"console.{message.type}: {message.text}"))
            response = page.goto(url, wait_until="load")
            check(response is not None and response.status == 200, f"{cid}: Chromium loaded {response and response.status}")
            heading = page.inner_text("h1")
            check(heading.startswith("Høringsnotat") or heading.startswith("Høyringsnotat"), f"{cid}: Chromium shows h1 {heading!r}")
            page.screenshot(path=path, full_page=True)
        finally:
            browser.close()
    check(not [p for p in problems if "Content Security Policy" in p or "console.error" in p], f"{cid}: Chromium logged {problems}")
    check(os.path.getsize(path) > 1000, f"{cid}: screenshot {path} is empty")
    print(f"screenshot: {path}")


def main():
    binary = sys.argv[1]
    artifacts = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="medvirk-memo-")
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="medvirk-memo-db-")
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([binary, "serve", "--db", os.path.join(work, "memo.sqlite"), "--demo", "--port", str(port),
                               "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                if get(base, "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        languages = []
        for municipality in ("fjordby", "nordvik"):
            status, _, body = get(base, f"/v1/consultations?municipality={municipality}&status=concluded")
            concluded = [c for c in json.loads(body)["data"] if (c.get("conclusion") or {}).get("memo")]
            check(len(concluded) >= 1, f"{municipality}: a concluded consultation with a published memo")
            for consultation in concluded:
                languages.append(check_memo(base, consultation, artifacts))
        check(sorted(set(languages)) == ["da", "nb"], f"memos in {languages}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if FAILURES:
        print(f"memo check: {len(FAILURES)} failures", file=sys.stderr)
        sys.exit(1)
    print(f"memo check: the demo memos of Fjordby and Nordvik in four formats, party lists match /parties, HTML in Chromium; artifacts in {artifacts}")


if __name__ == "__main__":
    main()
