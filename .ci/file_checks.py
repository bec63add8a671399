#!/usr/bin/env python3
"""Hosted files against the real binary, with a real ClamAV daemon.

1. Real small files of each accepted kind (PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG, UTF-8 text) are uploaded and
   downloaded again: the bytes and sha256 must match, and file(1) (libmagic, run here independently of the
   server) must name the type the server stored.
2. With `--clamd unix:…` pointing at a clamd started here on a signature database holding only the EICAR test
   file's hash, a clean upload is stored, the EICAR file is a 422 `malware-detected` naming the signature and
   leaves no chunk behind, and with clamd unreachable an upload is a 503 with Retry-After.

Usage: file_checks.py path/to/medvirk
"""
import base64
import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="medvirk-files-")
DB = os.path.join(WORK, "files.sqlite")
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(scope):
    return subprocess.run([BIN, "token", "create", "--db", DB, "--name", f"files {scope}", "--scope", scope],
                          check=True, capture_output=True, text=True).stdout.strip()


def start(*extra):
    port = free_port()
    log = open(os.path.join(WORK, "server.log"), "a")
    proc = subprocess.Popen([BIN, "serve", "--db", DB, "--port", str(port), "--log-level", "warning", *extra], stdout=log, stderr=log)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except Exception:
            time.sleep(0.1)
    raise SystemExit("server did not become ready")


def request(method, url, token=None, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def upload(base, admin, data, name):
    return request("POST", f"{base}/v1/files?municipality=fjordby", admin, data,
                   {"Content-Type": "application/octet-stream", "Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


def office(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in entries:
            z.writestr(zipfile.ZipInfo(name), text, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def samples():
    types = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/%s" ContentType="%s"/></Types>'
    rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>'
    docx = office([("[Content_Types].xml", types % ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")),
                   ("_rels/.rels", rels % "word/document.xml"),
                   ("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Høringssvar</w:t></w:r></w:p></w:body></w:document>')])
    xlsx = office([("[Content_Types].xml", types % ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")),
                   ("_rels/.rels", rels % "xl/workbook.xml"),
                   ("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')])
    odt = office([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office:document-content/>")])
    ods = office([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<office:document-content/>")])
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
           b"trailer << /Root 1 0 R >>\n%%EOF\n")
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    jpeg = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes([0xFF, 0xDB, 0x00, 0x43, 0x00]) + bytes([1] * 64) + bytes([0xFF, 0xD9])
    text = "Høringssvar fra Ældrerådet: vi støtter forslaget.\n".encode()
    return [("brev.pdf", pdf, "application/pdf"), ("svar.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("ark.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("svar.odt", odt, "application/vnd.oasis.opendocument.text"), ("ark.ods", ods, "application/vnd.oasis.opendocument.spreadsheet"),
            ("kort.png", png, "image/png"), ("foto.jpg", jpeg, "image/jpeg"), ("svar.txt", text, "text/plain")]


def start_clamd():
    """clamd on a socket in WORK, with a database of the EICAR hash only (no freshclam: no internet here)."""
    clamd = shutil.which("clamd") or "/usr/sbin/clamd"
    if not os.path.exists(clamd):
        raise SystemExit("clamd is not installed (Debian clamav-daemon; .ci/run installs it)")
    database = os.path.join(WORK, "clamdb")
    os.makedirs(database)
    with open(os.path.join(database, "eicar.hdb"), "w") as f:
        f.write(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n")
    sock = os.path.join(WORK, "clamd.sock")
    config = os.path.join(WORK, "clamd.conf")
    with open(config, "w") as f:
        f.write(f"LocalSocket {sock}\nDatabaseDirectory {database}\nForeground yes\nLogFile {WORK}/clamd.log\n"
                f"TemporaryDirectory {WORK}\nStreamMaxLength 25M\nUser {os.environ.get('USER', 'root') if os.getuid() != 0 else 'root'}\n")
    proc = subprocess.Popen([clamd, "--config-file", config], stdout=open(os.path.join(WORK, "clamd.out"), "w"), stderr=subprocess.STDOUT)
    for _ in range(300):
        if os.path.exists(sock):
            return proc, sock
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    print(open(os.path.join(WORK, "clamd.out")).read(), open(os.path.join(WORK, "clamd.log")).read() if os.path.exists(os.path.join(WORK, "clamd.log")) else "")
    raise SystemExit("clamd did not start")


def main():
    admin = token("admin")
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    clamd, sock = start_clamd()
    server, base = start("--demo", "--clamd", f"unix:{sock}")
    try:
        for name, data, expected in samples():
            status, _, body = upload(base, admin, data, name)
            stored = json.loads(body)
            check(status == 201 and stored.get("media_type") == expected, f"{name}: 201 as {expected} (got {status} {stored.get('media_type')})")
            if status != 201:
                continue
            status, headers, content = request("GET", f"{base}{stored['href']}", admin)
            check(content == data and hashlib.sha256(content).hexdigest() == stored["sha256"], f"{name}: the same bytes and sha256 back")
            path = os.path.join(WORK, "download-" + name)
            with open(path, "wb") as f:
                f.write(content)
            seen = subprocess.run(["file", "--brief", "--mime-type", path], capture_output=True, text=True).stdout.strip()
            check(seen == expected, f"{name}: file(1) says {seen}")
            check(headers.get("X-Content-Type-Options") == "nosniff" and headers.get("Content-Security-Policy") == "sandbox",
                  f"{name}: nosniff and CSP sandbox")

        status, _, body = upload(base, admin, EICAR, "eicar.txt")
        problem = json.loads(body)
        check(status == 422 and problem.get("type", "").endswith("/malware-detected") and "Eicar" in problem.get("detail", ""),
              f"EICAR: 422 malware-detected naming the signature (got {status} {problem.get('detail')})")
        with sqlite3.connect(DB) as db:
            unfinished = db.execute("SELECT count(*) FROM file_contents WHERE sha256 IS NULL").fetchone()[0]
        check(unfinished == 0, f"EICAR: no chunks left behind ({unfinished} unfinished contents)")
    finally:
        server.terminate()
        server.wait()
        clamd.terminate()
        clamd.wait()

    server, base = start("--clamd", f"unix:{WORK}/no-such-clamd.sock")
    try:
        status, headers, body = upload(base, admin, samples()[0][1], "brev.pdf")
        check(status == 503 and headers.get("Retry-After") is not None, f"clamd unreachable: 503 with Retry-After (got {status})")
    finally:
        server.terminate()
        server.wait()
    with sqlite3.connect(DB) as db:
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
    if failures:
        print(f"{len(failures)} file check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("file checks passed")


if __name__ == "__main__":
    main()
