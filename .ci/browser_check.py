#!/usr/bin/env python3
"""Cross-origin reads in a real browser (issue 14 §1).

Usage: python3 .ci/browser_check.py path/to/medvirk

Starts the server twice on free local ports, each with its own temporary SQLite database and the demo
data: A with the default limits, B with a low per-address rate limit. Serves .ci/browser/cors.html from a
third port (another origin: same host, other port) and loads it in headless Chromium (the Debian package,
driven by Playwright's Python package pointed at /usr/bin/chromium; nothing is downloaded; where
Playwright cannot drive it, `chromium --headless --dump-dom` loads the same page). The page uses fetch()
to follow the council list's Link rel="next" to the end, revalidate with the ETag (If-None-Match by hand,
outside the HTTP cache, expecting 304), read X-Request-Id, read 400, 401, 404 and 405 problems, see a
request with Authorization refused by the preflight (cross-origin is for anonymous reads), and send
requests to B until a 429 whose Retry-After it reads. This script prints what the page read and what
Chromium logged, checks it against what it reads itself over HTTP, prints one summary line and exits
non-zero on any failure; on failure it also prints the CORS headers the server sends for the same requests.
BROWSER_CHECK_DRIVER=dump-dom skips Playwright; CHROMIUM names another Chromium binary.
"""
import functools
import html
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE_DIR = os.path.join(ROOT, ".ci", "browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Requests a minute per address on server B: the server's bursts are a quarter of it but at least 10, so
# the 11th quick request from the page is refused.
B_RATE_LIMIT = 6
START_TIMEOUT = 60
PAGE_TIMEOUT = 90


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base, process, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before it was ready:\n{read(log)}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {base} not ready after {START_TIMEOUT} s:\n{read(log)}")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]
    except OSError:
        return ""


def next_link(link, base):
    """The rel="next" target of a Link header, resolved against the request URL."""
    for part in re.split(r",(?=\s*<)", link or ""):
        match = re.match(r"\s*<([^>]*)>(.*)$", part)
        if match and re.search(r';\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)', match.group(2), re.I):
            return urllib.parse.urljoin(base, match.group(1))
    return None


def direct_count(first):
    """Pages and rows of a list, following Link rel="next" over plain HTTP."""
    pages, rows, url = 0, 0, first
    while url:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
            link = response.headers.get("Link")
        pages += 1
        rows += len(body["data"])
        url = next_link(link, url)
        if pages > 500:
            raise SystemExit(f"{first}: more than 500 pages, the Link chain does not end")
    return pages, rows


def raw_headers(url, method="GET", headers=None):
    """The status and headers the server sends for a request with an Origin, for diagnosing a failure."""
    def joined(message):
        # Repeated field lines (two Vary lines, say) are one comma-separated list (RFC 9110 §5.3).
        return {name: ", ".join(message.get_all(name)) for name in dict.fromkeys(message.keys())}

    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, joined(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, joined(error.headers)
    except OSError as error:
        return None, {"error": str(error)}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]


def run_page(url, work):
    """Loads the page in headless Chromium; returns its report, what Chromium logged, its version and how
    it was driven. Playwright drives it; where Playwright cannot (not installed, or it cannot talk to this
    Chromium release), Chromium's own --dump-dom loads the same page and the report is read from the DOM."""
    driver = os.environ.get("BROWSER_CHECK_DRIVER", "playwright")
    if driver == "playwright":
        try:
            return run_page_playwright(url) + ("Playwright",)
        except ImportError as error:
            reason = f"Playwright is not installed ({error})"
        except Exception as error:  # noqa: BLE001 (a driver fault, not a finding: say so and use the other way)
            reason = f"Playwright failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        print(f"note: {reason}; loading the page with chromium --dump-dom instead", file=sys.stderr)
    return run_page_dump_dom(url, work) + ("chromium --dump-dom",)


def run_page_dump_dom(url, work):
    profile = tempfile.mkdtemp(prefix="chromium-", dir=work)
    # Virtual time waits for pending network requests, so the budget is an upper bound, not a sleep.
    result = subprocess.run(
        [CHROMIUM, "--headless", *CHROMIUM_ARGS, "--disable-gpu", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", f"--virtual-time-budget={PAGE_TIMEOUT * 1000}", "--dump-dom", url],
        capture_output=True, text=True, timeout=PAGE_TIMEOUT + 30, stdin=subprocess.DEVNULL)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    number = re.search(r"\d+(\.\d+)+", subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout)
    version = f"Chromium {number.group(0) if number else '?'}"
    match = re.search(r'<title>done</title>.*<pre id="report">(.*?)</pre>', result.stdout, re.S)
    if not match:
        console.append(f"chromium exited with {result.returncode}; the page did not finish: {result.stdout[-2000:]}")
        console.extend(result.stderr.splitlines()[-20:])
        return None, console, version
    return json.loads(html.unescape(match.group(1))), console, version


def run_page_playwright(url):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

    console = []
    with sync_playwright() as playwright:
        # The Debian build, never a downloaded one; as root it needs --no-sandbox, and /dev/shm may be small.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda message: console.append(f"console.{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"page error: {error}"))
            page.on("requestfailed", lambda request: console.append(
                f"request failed: {request.method} {request.url}: {request.failure}"))
            version = f"Chromium {browser.version}"
            page.goto(url, wait_until="load")
            try:
                page.wait_for_function("document.title === 'done'", timeout=PAGE_TIMEOUT * 1000)
            except PlaywrightTimeout:
                console.append(f"the page did not finish within {PAGE_TIMEOUT} s")
                return None, console, version
            report = page.evaluate("window.medvirkReport")
        finally:
            browser.close()
    return report, console, version


def check(report, expected_pages, expected_rows):
    """The failures, each a line naming what the page could not read."""
    failures = []

    def fail(message):
        failures.append(message)

    if "fatal" in report:
        fail(f"the page failed: {report['fatal']}")
        return failures

    pagination = report.get("pagination", {})
    if "error" in pagination:
        fail(f"pagination: fetch failed: {pagination['error']}")
    else:
        detail = pagination.get("detail", [])
        for page in detail:
            if page["status"] != 200:
                fail(f"pagination: {page['url']} answered {page['status']}")
        missing_link = [page["url"] for page in detail[:-1] if not page.get("link")]
        if missing_link:
            fail(f"pagination: Link not readable on {missing_link[0]} (visible: {detail[0]['visible_headers']})")
        if detail and detail[-1].get("next_cursor"):
            fail(f"pagination: the page stopped at {detail[-1]['url']}, whose body still has a next_cursor"
                 " (Link rel=next not readable?)")
        if pagination.get("stopped_at_limit"):
            fail("pagination: more than 200 pages, the Link chain does not end")
        if (pagination.get("pages"), pagination.get("rows")) != (expected_pages, expected_rows):
            fail(f"pagination: the page followed {pagination.get('pages')} pages with {pagination.get('rows')}"
                 f" rows; over HTTP: {expected_pages} pages with {expected_rows} rows")
        if expected_pages < 2:
            fail(f"pagination: only {expected_pages} page over HTTP; the demo data should give several at limit=2")

    revalidation = report.get("revalidation", {})
    if "error" in revalidation:
        fail(f"revalidation: fetch failed: {revalidation['error']}")
    elif not revalidation.get("etag"):
        fail(f"revalidation: ETag not readable (visible: {(pagination.get('detail') or [{}])[0].get('visible_headers')})")
    elif not re.fullmatch(r'"[^"]*"', revalidation["etag"]):
        fail(f"revalidation: ETag {revalidation['etag']!r} is not a strong, quoted entity tag")
    elif revalidation.get("if_none_match_status") != 304:
        fail(f"revalidation: If-None-Match {revalidation['etag']} answered"
             f" {revalidation.get('if_none_match_status')}, not 304")

    request_id = report.get("request_id", {})
    if "error" in request_id:
        fail(f"X-Request-Id: fetch failed: {request_id['error']}")
    elif not request_id.get("request_id"):
        fail("X-Request-Id not readable")

    for name, status in (("not_found", 404), ("bad_request", 400), ("unauthorized", 401), ("method_not_allowed", 405)):
        answer = report.get(name, {})
        if "error" in answer:
            fail(f"{name}: fetch failed (an error answer without CORS headers is unreadable): {answer['error']}")
            continue
        if answer.get("status") != status:
            fail(f"{name}: status {answer.get('status')}, expected {status}")
        if (answer.get("content_type") or "").split(";")[0].strip() != "application/problem+json":
            fail(f"{name}: Content-Type {answer.get('content_type')!r}, expected application/problem+json")
        body = answer.get("body")
        if not isinstance(body, dict) or body.get("status") != status:
            fail(f"{name}: the body is not a problem with status {status}: {body!r}")
        if not answer.get("request_id"):
            fail(f"{name}: X-Request-Id not readable on the error")

    if "error" not in report.get("authorization", {}):
        fail(f"authorization: a cross-origin request with Authorization was let through (the preflight should not"
             f" allow it; anonymous reads only): {report.get('authorization')}")

    limited = report.get("rate_limit", {})
    if "error" in limited:
        fail(f"rate limit: fetch failed (a 429 without CORS headers is unreadable): {limited['error']}")
    elif limited.get("status") != 429:
        fail(f"rate limit: no 429 from server B after {limited.get('requests')} requests: {limited.get('statuses')}")
    else:
        retry_after = limited.get("retry_after")
        if not (retry_after and retry_after.isdigit() and int(retry_after) > 0):
            fail(f"rate limit: Retry-After {retry_after!r} not readable as a positive integer"
                 f" (visible: {limited.get('visible_headers')})")
        if (limited.get("content_type") or "").split(";")[0].strip() != "application/problem+json":
            fail(f"rate limit: Content-Type {limited.get('content_type')!r}, expected application/problem+json")
    return failures


def diagnose(api_a, origin):
    """What the server sends a request with this Origin, for the failure report."""
    lines = []
    cors = ("access-control-allow-origin", "access-control-expose-headers", "etag", "link", "retry-after",
            "x-request-id", "vary")
    probes = [
        ("GET", api_a + "/v1/councils?limit=2", {}),
        ("GET", api_a + "/v1/councils/browser-check-no-such-council", {}),
        ("OPTIONS", api_a + "/v1/councils?limit=2",
         {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"}),
    ]
    status, headers = raw_headers(probes[0][1], headers={"Origin": origin})
    if headers.get("ETag"):
        probes.append(("GET", api_a + "/v1/councils?limit=2", {"If-None-Match": headers["ETag"]}))
    for method, url, extra in probes:
        status, headers = raw_headers(url, method, {"Origin": origin, **extra})
        shown = {k: v for k, v in headers.items() if k.lower() in cors}
        present = {k.lower() for k in headers}
        missing = [name for name in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers")
                   if status is not None and name.lower() not in present]
        lines.append(f"  {method} {url} {extra or ''} -> {status} {shown}"
                     + (f"  MISSING: {', '.join(missing)}" if missing else ""))
    return lines


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: browser_check.py path/to/medvirk")
    binary = os.path.abspath(sys.argv[1])
    started = time.monotonic()
    # SIGTERM (CI's timeout, a stopped job) unwinds through the finally blocks, which stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="medvirk-browser-")
    servers = []
    static = None
    try:
        def serve(name, *extra):
            port = free_port()
            log = os.path.join(work, f"{name}.log")
            with open(log, "ab") as output:
                process = subprocess.Popen(
                    [binary, "serve", "--db", os.path.join(work, f"{name}.sqlite"), "--demo", "--port", str(port),
                     "--log-level", "warning", "--contract", os.path.join(ROOT, "openapi.yaml"),
                     "--migrations", os.path.join(ROOT, "Migrations"), *extra],
                    stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            servers.append((process, log))
            return f"http://127.0.0.1:{port}", process, log

        api_a, process_a, log_a = serve("a")
        api_b, process_b, log_b = serve("b", "--address-rate-limit", str(B_RATE_LIMIT))
        wait_ready(api_a, process_a, log_a)
        wait_ready(api_b, process_b, log_b)

        static = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=PAGE_DIR))
        threading.Thread(target=static.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{static.server_address[1]}"
        page_url = f"{origin}/cors.html?" + urllib.parse.urlencode({"a": api_a, "b": api_b})

        expected_pages, expected_rows = direct_count(api_a + "/v1/councils?limit=2")
        report, console, version, driver = run_page(page_url, work)

        print(f"page {page_url} in {version} ({driver}); it read:")
        print(json.dumps(report, indent=2, ensure_ascii=False))
        failures = check(report or {"fatal": "no report"}, expected_pages, expected_rows)
        for process, log in servers:
            if process.poll() is not None:
                failures.append(f"a server exited with {process.returncode}: {read(log)}")
        seconds = time.monotonic() - started
        if failures:
            print(f"browser check FAILED ({len(failures)}), page origin {origin}, API {api_a} and {api_b}:")
            for failure in failures:
                print(f"  - {failure}")
            print("Chromium said:" if console else "Chromium logged nothing to the console.")
            for line in console:
                print(f"  {line}")
            print(f"the server's answers to Origin: {origin}:")
            for line in diagnose(api_a, origin):
                print(line)
            return 1
        print("Chromium's console (the 4xx answers and the refused Authorization request are provoked on purpose):")
        for line in console:
            print(f"  {line}")
        pagination, revalidation = report["pagination"], report["revalidation"]
        limited = report["rate_limit"]
        print(f"browser ({version} via {driver}, page {origin} -> API {api_a}): followed Link through"
              f" {pagination['pages']} pages / {pagination['rows']} councils (same as over HTTP);"
              f" ETag {revalidation['etag']} revalidated -> {revalidation['if_none_match_status']}"
              f" (HTTP cache shows {revalidation.get('http_cache_status')});"
              f" X-Request-Id read; 400, 401, 404 and 405 read as {report['not_found']['content_type']};"
              f" Authorization refused by the preflight;"
              f" 429 after {limited['requests']} requests with Retry-After {limited['retry_after']};"
              f" {seconds:.1f} s")
        return 0
    finally:
        if static is not None:
            static.shutdown()
            static.server_close()
        for process, _ in servers:
            if process.poll() is None:
                process.terminate()
        for process, _ in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
