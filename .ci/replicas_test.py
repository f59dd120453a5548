#!/usr/bin/env python3
"""make replicas-test: two Gatehouse replicas on one PostgreSQL behind nginx
(.ci/replicas.sh started them, at the same moment, on an empty database), driven
directly and through nginx. Every check prints one line; any failure exits 1.

Environment: BASE (nginx), REPLICA_A, REPLICA_B, PID_B, DB_URL, MAILDIR, PG_DIR,
PASSWORD; tenants Replicaco (ada@, 10 free seats) and Lockco (lee@) exist; the
replicas run with GATEHOUSE_LOCKOUT_THRESHOLD=4 and GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=8.
"""
import email
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

BASE, A, B = os.environ["BASE"], os.environ["REPLICA_A"], os.environ["REPLICA_B"]
PASSWORD = os.environ["PASSWORD"]
DB_URL = os.environ["DB_URL"]
MAILDIR = pathlib.Path(os.environ["MAILDIR"])
THRESHOLD, PER_IP = 4, 8
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def request(base, method, path, body=None, headers=None, source="127.0.0.1"):
    """One request from `source` (a loopback address: each stands for one client)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30,
                                      source_address=(source, 0))
    h = {"Origin": BASE, "Accept": "application/json"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    res = conn.getresponse()
    data = res.read().decode(errors="replace")
    conn.close()
    session = next((c.split(";")[0] for c in res.msg.get_all("Set-Cookie") or []
                    if c.startswith("gatehouse_session=")), "")
    return res.status, data, session, res.getheader("X-Request-Id")


def form(base, endpoint, fields, cookie=None, source="127.0.0.1"):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    return request(base, "POST", f"/api/{endpoint}", urllib.parse.urlencode(fields), headers, source)


def call_json(base, endpoint, body, cookie, source="127.0.0.1"):
    headers = {"Content-Type": "application/json", "Cookie": cookie}
    return request(base, "POST", f"/api/{endpoint}", json.dumps(body), headers, source)


def sign_in(base, who, password=PASSWORD, source="127.0.0.1"):
    status, body, cookie, _ = form(base, "sign_in", {"email": who, "password": password}, source=source)
    return status, cookie if status == 200 else None


def sql(query):
    out = subprocess.run(["psql", DB_URL, "-Atc", query], check=True, capture_output=True, text=True)
    return out.stdout.strip()


# 1. A session made on one replica is valid on the other; signing out on one ends it on both.
status, ada = sign_in(A, "ada@example.com", source="127.0.0.4")
check(status == 200 and ada, "ada signs in on replica A")
check(form(B, "current_user", {}, ada)[0] == 200, "the session made on A is valid on B")
check(form(BASE, "current_user", {}, ada)[0] == 200, "and through nginx")
status, other = sign_in(B, "ada@example.com", source="127.0.0.4")
check(form(B, "sign_out", {}, other)[0] == 200, "a second session signs out on B")
check(form(A, "current_user", {}, other)[0] == 401, "that session is over on A too")
check(form(B, "current_user", {}, other)[0] == 401, "and on B")

# 2. Wrong passwords sent alternately to both replicas lock at the threshold, not at twice it.
for i in range(THRESHOLD - 1):
    form([A, B][i % 2], "sign_in", {"email": "lee@example.com", "password": "wrong password!"}, source="127.0.0.3")
status, _ = sign_in(A, "lee@example.com", source="127.0.0.3")
check(status == 200, f"{THRESHOLD - 1} wrong passwords (A, B, A) do not lock the account")
for i in range(THRESHOLD):
    form([A, B][i % 2], "sign_in", {"email": "lee@example.com", "password": "wrong password!"}, source="127.0.0.6")
status, _ = sign_in(B, "lee@example.com", source="127.0.0.6")
check(status == 401, f"{THRESHOLD} wrong passwords across A and B lock it (the right one is refused; got {status})")
locked = sql("SELECT locked_until IS NOT NULL FROM accounts WHERE email = 'lee@example.com'")
check(locked == "t", "the lock is in the database, for every replica")

# 3. The per-IP sign-in limit counts across replicas: directly (A, B, A, …) and through
# nginx (round robin, the client's address from X-Forwarded-For).
def limited_after(bases, source):
    statuses = [form(bases[i % len(bases)], "sign_in",
                     {"email": f"nobody{i}@example.com", "password": "not a password"}, source=source)[0]
                for i in range(PER_IP + 2)]
    return statuses
statuses = limited_after([A, B], "127.0.0.7")
check(statuses[:PER_IP] == [401] * PER_IP and statuses[PER_IP:] == [429, 429],
      f"per-IP limit across A and B: {PER_IP} refusals, then 429 ({statuses})")
statuses = limited_after([BASE], "127.0.0.2")
check(statuses[:PER_IP] == [401] * PER_IP and statuses[PER_IP:] == [429, 429],
      f"per-IP limit through nginx: {PER_IP} refusals, then 429 ({statuses})")
status, _ = sign_in(BASE, "ada@example.com", source="127.0.0.8")
check(status == 200, "another client behind the same nginx still signs in (its own address counted)")

# 4. 40 invitations at once, half to each replica, for 10 free seats: exactly 10.
results = [None] * 40
def invite(i):
    body = {"input": {"email": f"p{i}@example.com", "role": "user", "template_id": None,
                      "crm_access": False}}
    results[i] = call_json([A, B][i % 2], "invite_member", body, ada)[0]
threads = [threading.Thread(target=invite, args=(i,)) for i in range(40)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok = results.count(200)
check(ok == 10, f"40 parallel invitations for 10 free seats: {ok} accepted ({sorted(set(results))})")
members = sql("SELECT COUNT(*) FROM memberships m JOIN tenants t ON t.id = m.tenant_id "
              "WHERE t.name = 'Replicaco' AND m.status = 'invited'")
check(members == "10", f"exactly 10 invited memberships in the database ({members})")

# 5. Every queued email is delivered exactly once although both replicas send mail.
def delivered():
    folder = MAILDIR / "new"
    return [email.message_from_bytes(p.read_bytes()) for p in folder.iterdir()] if folder.exists() else []
deadline = time.time() + 30
while time.time() < deadline and sql("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL") != "0":
    time.sleep(0.5)
time.sleep(3)  # both delivery loops run every second: a second copy would be here by now
messages = delivered()
invites = [m for m in messages if "Replicaco" in (m["Subject"] or "")]
check(len(invites) == 10 and len({m["To"] for m in invites}) == 10,
      f"10 invitation emails, one per person ({len(invites)} received)")
queued = int(sql("SELECT COUNT(*) FROM mail_outbox"))
keys = [(m["To"], m["Subject"], m["Message-ID"]) for m in messages]
check(len(messages) == queued and len(set(keys)) == len(keys),
      f"every queued email delivered exactly once ({queued} queued, {len(messages)} received)")

# 6. A change made through one replica is seen by the next read on the other.
status, _, _, _ = call_json(A, "create_group", {"name": "Night shift"}, ada)
check(status == 200, "a group is created on A")
seen = form(B, "list_groups", {}, ada)
check(seen[0] == 200 and "Night shift" in seen[1], "B's next read lists it")
group_id = sql("SELECT id FROM groups WHERE name = 'Night shift'")
check(call_json(B, "delete_group", {"group_id": int(group_id)}, ada)[0] == 200, "B deletes it")
seen = form(A, "list_groups", {}, ada)
check(seen[0] == 200 and "Night shift" not in seen[1], "A's next read no longer lists it")

# 7. Metrics (replica A) and request ids in JSON logs (replica B).
status, text, _, _ = request(os.environ["METRICS"], "GET", "/metrics")
def metric(name, **labels):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head, value = line.rsplit(" ", 1)
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                total += float(value)
    return total
check(status == 200, "/metrics answers on its own address")
check(metric("gatehouse_http_requests_total", route="/api/sign_in", method="POST", status="200") >= 1,
      "requests are counted by route, method and status")
check(metric("gatehouse_http_request_duration_seconds_count", route="/api/invite_member") >= 1,
      "with a latency histogram")
check(metric("gatehouse_sign_ins_total", outcome="succeeded") >= 1
      and metric("gatehouse_sign_ins_total", outcome="refused") >= 1
      and metric("gatehouse_sign_ins_total", outcome="limited") >= 1,
      "sign-ins succeeded, refused and limited are counted")
check(metric("gatehouse_emails_total", outcome="queued") >= 1
      and "gatehouse_emails_total{outcome=\"sent\"}" in text
      and "gatehouse_mail_queue_depth" in text
      and "gatehouse_db_pool_connections{state=\"in_use\"}" in text,
      "emails queued and sent, the queue depth and the pool in use are there")
status, _, _, rid = request(B, "GET", "/sign-in")
time.sleep(0.2)
lines = [json.loads(l) for l in open(os.environ["LOG_B"]) if l.startswith("{")]
check(lines and all("level" in l for l in lines), f"B logs JSON ({len(lines)} lines)")
check(any(l.get("span", {}).get("id") == rid for l in lines),
      f"B's log line for a request carries its id {rid}")

# 8. Readiness: within a second, 503 while PostgreSQL does not answer; 200 again after.
pg_dir = pathlib.Path(os.environ["PG_DIR"])
postmaster = int((pg_dir / "postmaster.pid").read_text().split()[0])
def children(pid):
    kids = []
    for proc in pathlib.Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(proc.name))
    return kids
frozen = [postmaster] + children(postmaster)
for pid in frozen:
    os.kill(pid, signal.SIGSTOP)
try:
    started = time.monotonic()
    status, body, _, _ = request(A, "GET", "/readyz")
    took = time.monotonic() - started
    check(status == 503 and took < 2.5, f"/readyz with the database frozen: {status} '{body}' in {took:.2f} s")
    check(request(A, "GET", "/healthz")[0] == 200, "/healthz (liveness) still answers")
finally:
    for pid in frozen:
        os.kill(pid, signal.SIGCONT)
deadline = time.time() + 15
while time.time() < deadline and request(A, "GET", "/readyz")[0] != 200:
    time.sleep(0.2)
check(request(A, "GET", "/readyz")[0] == 200, "/readyz is 200 again once the database answers")

# 9. SIGTERM on B: a request in flight (half its upload sent) still gets its answer; then
# B is gone and nginx serves every request from A.
boundary = "gatehouse-replicas"
csv = "email,role,template,crm_access\n" + "".join(f"late{i}@example.com,user,,no\n" for i in range(200))
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n"
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n").encode()
url = urllib.parse.urlsplit(B)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
conn.putrequest("POST", "/settings/users/import")
for k, v in {"Cookie": ada, "Origin": BASE, "Content-Type": f"multipart/form-data; boundary={boundary}",
             "Content-Length": str(len(body))}.items():
    conn.putheader(k, v)
conn.endheaders()
conn.send(body[: len(body) // 2])
time.sleep(0.3)
os.kill(int(os.environ["PID_B"]), signal.SIGTERM)
time.sleep(0.7)
conn.send(body[len(body) // 2:])
res = conn.getresponse()
res.read()
check(res.status == 303 and "import?file=" in (res.getheader("Location") or ""),
      f"the upload in flight at SIGTERM was answered ({res.status} {res.getheader('Location')})")
conn.close()
deadline = time.time() + 10
while time.time() < deadline and os.path.exists(f"/proc/{os.environ['PID_B']}") and \
        "zombie" not in open(f"/proc/{os.environ['PID_B']}/status").read():
    time.sleep(0.1)
try:
    request(B, "GET", "/healthz")
    gone = False
except OSError:
    gone = True
check(gone, "B stopped accepting connections")
statuses = [request(BASE, "GET", "/sign-in")[0] for _ in range(6)]
check(statuses == [200] * 6, f"nginx serves every request from A meanwhile ({statuses})")

print(f"replicas: {len(failures)} failed" if failures else "replicas: every check passed")
sys.exit(1 if failures else 0)
