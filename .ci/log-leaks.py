#!/usr/bin/env python3
"""SECURITY.md 14: no token or password ever appears in the server's log.

Reads every invite and reset token mailed during an end-to-end run (from the outbox
folder) and every password the specs typed (string literals with "passphrase" in
them), and searches the server log of that run for each. Prints the figures; exits
1 when anything is found."""
import pathlib
import re
import sys

outbox, log, specs = (pathlib.Path(p) for p in sys.argv[1:4])
tokens = set()
for eml in outbox.glob("*.eml"):
    text = eml.read_text(errors="replace")
    text = re.sub(r"=\r?\n", "", text).replace("=3D", "=")
    tokens.update(re.findall(r"/(?:invite|reset)/([A-Za-z0-9_-]{20,})", text))
passwords = set()
for spec in specs.glob("*.ts"):
    passwords.update(re.findall(r"'([^'\n]*passphrase[^'\n]*)'", spec.read_text()))
logged = log.read_text(errors="replace")
found = sorted(s for s in tokens | passwords if s in logged)
print(
    f"log-leaks: searched {len(logged.splitlines())} log lines for {len(tokens)} mailed tokens "
    f"and {len(passwords)} passwords: {len(found)} found"
)
if not tokens or not passwords:
    print("log-leaks: nothing to search for; the run mailed no link or typed no password")
    sys.exit(1)
for secret in found:
    print(f"log-leaks: FOUND in the server log: {secret[:6]}…")
sys.exit(1 if found else 0)
