#!/usr/bin/env python3
"""SECURITY.md 40: every multi-row change is one transaction, so a crash leaves the
database consistent.

Starts the release server on a fresh SQLite file, has four clients invite people as
fast as they can (each invite writes a membership, an invitation, a mail and an
audit row), kills the server with SIGKILL in the middle, starts it again and checks
the invariants: seats never exceed the limit, every invited membership has its
invitation, mail and audit row, every audit row's membership exists, and SQLite's
own integrity and foreign-key checks pass. Usage: crash.py <gatehouse binary>"""
import http.cookiejar
import json
import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

binary = sys.argv[1]
work = pathlib.Path(tempfile.mkdtemp(prefix="gatehouse-crash."))
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
base = f"http://127.0.0.1:{port}"
env = dict(
    os.environ,
    DATABASE_URL=f"sqlite://{work}/crash.db",
    GATEHOUSE_OUTBOX=str(work / "outbox"),
    GATEHOUSE_SECRET_KEY_FILE=str(work / "secret.key"),
    GATEHOUSE_LISTEN=f"127.0.0.1:{port}",
    GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE="10000",
    RUST_LOG="warn",
)
PASSWORD = "a long and unguessable passphrase"
subprocess.run(
    [binary, "create-admin", "--tenant", "Crashco", "--email", "ada@example.com",
     "--kind", "production", "--plan", "business", "--password-stdin"],
    input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
)


def start():
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(work / "server.log", "a"))
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("crash: the server did not start")


def post(opener, endpoint, body, json_body=False):
    data = json.dumps(body).encode() if json_body else urllib.parse.urlencode(body).encode()
    request = urllib.request.Request(
        f"{base}/api/{endpoint}", data=data, method="POST",
        headers={"Origin": base, "Accept": "application/json",
                 "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded"})
    return opener.open(request, timeout=10)


server = start()
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
post(opener, "sign_in", {"email": "ada@example.com", "password": PASSWORD})
stop = threading.Event()
sent = []


def invite(worker):
    n = 0
    while not stop.is_set():
        n += 1
        try:
            post(opener, "invite_member", {"input": {
                "email": f"p{worker}-{n}@example.com", "role": "user",
                "template_id": None, "crm_access": False}}, json_body=True)
            sent.append(1)
        except Exception:
            if stop.is_set():
                return


workers = [threading.Thread(target=invite, args=(w,)) for w in range(4)]
for w in workers:
    w.start()
while len(sent) < 20:
    time.sleep(0.01)
server.send_signal(signal.SIGKILL)
server.wait()
stop.set()
for w in workers:
    w.join()
server = start()  # runs migrations and recovery on the crashed file
server.terminate()
server.wait()

db = sqlite3.connect(work / "crash.db")
q = lambda sql: db.execute(sql).fetchall()
problems = []
if q("PRAGMA integrity_check") != [("ok",)]:
    problems.append("integrity_check failed")
if q("PRAGMA foreign_key_check"):
    problems.append("foreign keys broken")
problems += [f"tenant {t} has {n} members for {limit} seats" for t, n, limit in q(
    "SELECT t.id, COUNT(m.id), t.seat_limit FROM tenants t JOIN memberships m ON m.tenant_id = t.id "
    "GROUP BY t.id HAVING COUNT(m.id) > t.seat_limit")]
problems += [f"invited membership {m} has no invitation" for (m,) in q(
    "SELECT m.id FROM memberships m WHERE m.status = 'invited' AND NOT EXISTS "
    "(SELECT 1 FROM invitations i WHERE i.membership_id = m.id)")]
problems += [f"invited membership {m} has no audit row" for (m,) in q(
    "SELECT m.id FROM memberships m WHERE m.status = 'invited' AND NOT EXISTS "
    "(SELECT 1 FROM audit_events e WHERE e.action = 'member.invited' AND e.target_id = m.id)")]
problems += [f"invitation mail missing for {e}" for (e,) in q(
    "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.status = 'invited' "
    "AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.recipient = a.email)")]
problems += [f"audit row for missing membership {t}" for (t,) in q(
    "SELECT e.target_id FROM audit_events e WHERE e.action = 'member.invited' AND NOT EXISTS "
    "(SELECT 1 FROM memberships m WHERE m.id = e.target_id)")]
invited = q("SELECT COUNT(*) FROM memberships WHERE status = 'invited'")[0][0]
print(f"crash: killed the server after {len(sent)} answered invites; {invited} invitations on disk; "
      f"{len(problems)} inconsistencies")
for p in problems:
    print("crash:", p)
sys.exit(1 if problems or invited < len(sent) else 0)
