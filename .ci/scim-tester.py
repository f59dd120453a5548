#!/usr/bin/env python3
"""Runs scim2-tester's compliance checks against a running Gatehouse SCIM server.

    .ci/.venv-scim/bin/python .ci/scim-tester.py [BASE_URL [TOKEN]] [options]

BASE_URL (e.g. http://127.0.0.1:3999/scim/v2) and TOKEN (a bearer API key) come
from the arguments or from GATEHOUSE_SCIM_URL / GATEHOUSE_SCIM_TOKEN; prefer the
environment for the token (arguments show in `ps`).

Prints one line per check result (status, check, resource type, reason), then
"N of M checks passed" and a plain "scim2-tester: N passed, N failed, N skipped"
closing line. Exits 1 when any result is ERROR or CRITICAL (a SKIPPED one is not a
failure), 2 on a usage error.

Needs scim2-tester[httpx2]==0.5.2 installed in .ci/.venv-scim (a venv made with
/usr/bin/python3 -m venv, as .ci/install-tools.sh makes .ci/.venv-schemathesis).
"""

import argparse
import os
import sys

try:
    import httpx2
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server, get_all_available_tags
except ImportError as exc:  # pragma: no cover
    sys.exit(
        f"scim-tester: {exc}. Run it with .ci/.venv-scim/bin/python "
        "(pip install 'scim2-tester[httpx2]==0.5.2')."
    )

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
FAILED = {Status.ERROR, Status.CRITICAL}
# Status.DEVIATION (a SHOULD not followed) is reported but fails nothing;
# scim2-tester 0.5.2 itself only ever returns SUCCESS, ERROR or SKIPPED.


def one_line(text, limit=400):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("GATEHOUSE_SCIM_URL"))
    parser.add_argument("token", nargs="?", default=os.environ.get("GATEHOUSE_SCIM_TOKEN"))
    parser.add_argument("--include-tags", default="", help="comma list, e.g. discovery,crud:read")
    parser.add_argument("--exclude-tags", default="", help="comma list, e.g. patch,misc")
    parser.add_argument("--resource-types", default="", help="comma list, e.g. User,Group")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the data of failed results")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    if not args.url or not args.token:
        parser.print_usage(sys.stderr)
        print("scim-tester: a base URL and a token are needed "
              "(arguments or GATEHOUSE_SCIM_URL / GATEHOUSE_SCIM_TOKEN)", file=sys.stderr)
        return 2

    def tags(text):
        return {t.strip() for t in text.split(",") if t.strip()} or None

    # scim2-tester 0.5.2 also skips its "*" checks (the three discovery queries every
    # other check depends on) whenever exclude_tags is given, so nothing past
    # discovery would run. Exclusion is therefore turned into an include list of the
    # remaining tags; that is exact for the single-tag checks (crud:*, patch:*, misc),
    # not for the discovery ones, which carry two tags.
    include, exclude = tags(args.include_tags), tags(args.exclude_tags)
    if exclude:
        def excluded(tag):
            return any(e == tag or e in tag.split(":") for e in exclude)
        remaining = {t for t in get_all_available_tags() if not excluded(t)}
        include = {t for t in remaining if not include or any(
            i == t or i in t.split(":") for i in include)} or {"none"}

    http = httpx2.Client(
        base_url=args.url.rstrip("/"),
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=args.timeout,
    )
    client = SyncSCIMClient(http)
    print(f"scim2-tester: checking {args.url}", flush=True)
    try:
        results = check_server(
            client,
            include_tags=include,
            resource_types=sorted(tags(args.resource_types) or []) or None,
        )
    finally:
        http.close()

    passed = failed = skipped = 0
    for r in results:
        if r.status in PASSED:
            passed += 1
        elif r.status in FAILED:
            failed += 1
        elif r.status == Status.SKIPPED:
            skipped += 1
        where = f" [{r.resource_type}]" if r.resource_type else ""
        reason = f": {one_line(r.reason)}" if r.reason else ""
        print(f"{r.status.name:<9} {r.title}{where}{reason}")
        if args.verbose and r.status in FAILED and r.data is not None:
            print(f"          data: {one_line(r.data, 2000)}")

    total = len(results)
    print()
    print(f"{passed} of {total} checks passed ({failed} failed, {skipped} skipped, "
          f"{total - passed - failed - skipped} deviations)")
    print(f"scim2-tester: {passed} passed, {failed} failed, {skipped} skipped")
    # check_server stops after discovery when it cannot describe the server:
    # no CRUD result at all is a failure even if discovery itself "passed".
    if not any(r.resource_type for r in results) and not include:
        print("scim-tester: no resource type was exercised (discovery failed?)", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
