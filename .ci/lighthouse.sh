#!/usr/bin/env bash
# make lighthouse: Lighthouse (npm, Debian's chromium, default mobile settings) on the
# release build: /sign-in, and signed in /settings/users and /account. Prints the
# performance, accessibility and best-practices scores and the main timings.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-/var/tmp/gatehouse-target}
bin="$target/release/gatehouse"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
password='a long and unguessable passphrase'
work=$(mktemp -d /tmp/gatehouse-lighthouse.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/lh.db" GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key" GATEHOUSE_LISTEN="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg
export RUST_LOG=warn CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

echo "$password" | "$bin" create-admin --tenant Lighthouse --email admin@lighthouse.example \
    --plan business --password-stdin >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
body="email=admin%40lighthouse.example&password=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$password")"
cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H "Accept: application/json" \
    --data "$body" "$base/api/sign_in" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(gatehouse_session=[^;]*\).*/\1/p' | head -1)
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }

flags="--headless=new --no-sandbox --disable-gpu --disable-quic --disable-background-networking --disable-component-update --disable-sync --no-first-run"
printf '%-18s %5s %5s %5s %8s %8s %8s %8s\n' page perf a11y bp FCP LCP TBT TTI
for page in /sign-in /settings/users /account; do
  headers='{}'
  [ "$page" = /sign-in ] || headers="{\"Cookie\": \"$cookie\"}"
  report="$work/$(tr / _ <<<"$page").json"
  (cd "$root/.ci/lighthouse" && npx lighthouse "$base$page" --quiet --output=json \
      --output-path="$report" --only-categories=performance,accessibility,best-practices \
      --chrome-flags="$flags" --extra-headers="$headers") >/dev/null 2>"$work/lh.err" ||
    { cat "$work/lh.err" >&2; exit 1; }
  python3 - "$report" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
score = lambda k: round(100 * (c[k]["score"] or 0))
ms = lambda k: f'{a[k]["numericValue"] / 1000:.1f} s'
print(f'{sys.argv[2]:<18} {score("performance"):>5} {score("accessibility"):>5} {score("best-practices"):>5} '
      f'{ms("first-contentful-paint"):>8} {ms("largest-contentful-paint"):>8} '
      f'{a["total-blocking-time"]["numericValue"]:>6.0f}ms {ms("interactive"):>8}')
for k in ("performance", "accessibility", "best-practices"):
    if (c[k]["score"] or 0) < 1:
        low = [a[ref["id"]]["title"] for ref in c[k]["auditRefs"]
               if ref.get("weight", 0) > 0 and a[ref["id"]].get("score") is not None and a[ref["id"]]["score"] < 0.9]
        if low:
            print(f'    {k}: ' + '; '.join(low[:6]))
PY
  [ -n "${LIGHTHOUSE_KEEP:-}" ] && cp "$report" "$LIGHTHOUSE_KEEP/" || true
done
