#!/usr/bin/env python3
"""make load's probe: while password sign-ins saturate the hashing workers, ask for
other pages at a steady 20 a second (as people using the console would) and print
"count p50_ms p99_ms non2xx" of their latencies.

usage: load_probe.py BASE_URL COOKIE SECONDS LIST_BODY
Alternates the signed-in Users page (server-rendered) and a list_members call
with LIST_BODY (the JSON make load also gives wrk).
"""
import http.client
import sys
import time
import urllib.parse


def main() -> None:
    base, cookie, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    body = sys.argv[4].encode()
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    requests = [
        ("GET", "/settings/users", None, {"Cookie": cookie}),
        (
            "POST",
            "/api/list_members",
            body,
            {
                "Cookie": cookie,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Origin": base,
            },
        ),
    ]
    latencies, bad = [], 0
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        method, path, data, headers = requests[i % 2]
        i += 1
        start = time.monotonic()
        conn.request(method, path, body=data, headers=headers)
        answer = conn.getresponse()
        answer.read()
        latencies.append((time.monotonic() - start) * 1000)
        if answer.status >= 400:
            bad += 1
        time.sleep(max(0.0, 0.05 - (time.monotonic() - start)))
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{len(latencies)} {p50:.1f}ms {p99:.1f}ms {bad}")


if __name__ == "__main__":
    main()
