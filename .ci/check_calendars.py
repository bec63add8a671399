"""Parses every calendar feed of a live Medvirk server with the icalendar library (RFC 5545).

Usage: python3 .ci/check_calendars.py http://127.0.0.1:PORT
Exits non-zero when a feed does not parse or breaks the rules the contract promises.
"""
import json
import sys
import urllib.request

import icalendar


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers, response.read()


def check_feed(url):
    headers, raw = get(url)
    assert headers["Content-Type"].startswith("text/calendar"), (url, headers["Content-Type"])
    assert headers["ETag"], url
    text = raw.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), f"{url}: bare LF line end"
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, f"{url}: line over 75 octets: {line!r}"
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert event.get(prop) is not None, f"{url}: event without {prop}"
        assert event.decoded("DTSTART").tzinfo is not None, f"{url}: floating DTSTART"
    return events


def main(base):
    total = 0
    feeds = [base + "/v1/meetings.ics", base + "/v1/consultations.ics"]
    councils = json.loads(get(base + "/v1/councils?limit=200")[1])["data"]
    feeds += [f"{base}/v1/councils/{c['id']}/meetings.ics" for c in councils]
    statuses = set()
    for url in feeds:
        events = check_feed(url)
        statuses |= {str(e.get("STATUS")) for e in events}
        total += len(events)
    assert total > 0, "the demo feeds hold no events"
    assert "CANCELLED" in statuses, "the demo's cancelled meeting is missing from the feeds"
    print(f"calendars: {len(feeds)} feeds, {total} events parsed with icalendar {icalendar.__version__}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
