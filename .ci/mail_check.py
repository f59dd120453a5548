#!/usr/bin/python3
"""Reads one email as a receiver would: its headers, both parts decoded, and,
given the DKIM TXT record, whether its DKIM signature verifies (dkimpy, with the
record handed over instead of a DNS lookup). Prints one JSON object.

    mail_check.py [--record 'v=DKIM1; k=rsa; p=...'] message.eml
"""
import argparse
import json
import sys
from email import message_from_bytes, policy

parser = argparse.ArgumentParser()
parser.add_argument("--record")
parser.add_argument("message")
args = parser.parse_args()

raw = open(args.message, "rb").read()
message = message_from_bytes(raw, policy=policy.default)
out = {
    "headers": {name.lower(): str(value) for name, value in message.items()},
    "text": None,
    "html": None,
}
for part in message.walk():
    if part.get_content_type() == "text/plain":
        out["text"] = part.get_content()
    elif part.get_content_type() == "text/html":
        out["html"] = part.get_content()

if args.record is not None:
    import dkim

    asked = []

    def lookup(name, timeout=5):
        asked.append(name.decode() if isinstance(name, bytes) else name)
        return args.record.encode()

    import io
    import logging

    log = io.StringIO()
    logger = logging.getLogger("dkim-check")
    logger.addHandler(logging.StreamHandler(log))
    logger.setLevel(logging.DEBUG)
    out["dkim_verified"] = bool(dkim.verify(raw, logger=logger, dnsfunc=lookup))
    out["dkim_asked"] = asked
    out["dkim_log"] = log.getvalue()

json.dump(out, sys.stdout)
