#!/usr/bin/env bash
# Runs the Playwright suite against a freshly built release server on a free port
# with a brand-new SQLite database and mail outbox.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
bin="$target/release/gatehouse"
site="$root/target/site"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }

work=$(mktemp -d /tmp/gatehouse-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$work/e2e.db"
export GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key"
export GATEHOUSE_LISTEN="127.0.0.1:$port"
# Every spec signs in from 127.0.0.1; the per-IP limit is tested in server/tests/lockout.rs.
export GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=10000
# The webhooks spec's receiver listens on 127.0.0.1 (refused otherwise: SSRF guard).
export GATEHOUSE_WEBHOOK_ALLOW_PRIVATE=1
export LEPTOS_SITE_ROOT="$site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg
export BASE_URL="http://127.0.0.1:$port"
export GATEHOUSE_BIN="$bin"

# Debug logging, so the leak check below reads everything the server could say.
RUST_LOG=${RUST_LOG:-debug,sqlx=info,hyper=info,h2=info} "$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT

status=0
(cd "$root/end2end" && npx playwright test "$@") || status=$?
if [ $status -ne 0 ]; then
  echo "---- server log ----"; grep -a "ERROR" "$work/server.log" | tail -n 20; tail -n 50 "$work/server.log"
elif [ $# -eq 0 ]; then
  # A whole run: no mailed token and no typed password may be in the server log.
  cleanup
  python3 "$root/.ci/log-leaks.py" "$GATEHOUSE_OUTBOX" "$work/server.log" "$root/end2end/tests" || status=$?
  # SIGKILL in the middle of multi-row changes leaves a consistent database.
  python3 "$root/.ci/crash.py" "$bin" || status=$?
fi
exit $status
