#!/usr/bin/env bash
# `make scim-test`: scim2-tester (PyPI) against /scim/v2 of the release server, on a
# free port with a brand-new SQLite database and an API key with the scim scope.
# Prints each check and "N of M checks passed"; fails when any check fails (a
# check scim2-tester skips, because ServiceProviderConfig says the feature is not
# offered, fails nothing), or when the server logs an error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
built=${GATEHOUSE_BIN:-$target/release/gatehouse}
site="$root/target/site"
py="$root/.ci/.venv-scim/bin/python"
[ -x "$py" ] || { echo "install first: .ci/install-tools.sh scim" >&2; exit 1; }

work=$(mktemp -d /tmp/gatehouse-scim.XXXXXX)
# A private copy of the binary: a rebuild may replace (or briefly remove) the built one.
cp "$built" "$work/gatehouse" 2>/dev/null || { echo "build first: make build" >&2; exit 1; }
bin="$work/gatehouse"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/scim.db"
export GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key"
export GATEHOUSE_LISTEN="127.0.0.1:$port"
export GATEHOUSE_PUBLIC_URL="$base"
# About 450 requests in a few seconds with one key: the limit is tested elsewhere.
export GATEHOUSE_API_PER_KEY_PER_MINUTE=1000000
export LEPTOS_SITE_ROOT="$site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg

PW='a long and unguessable passphrase'
echo "$PW" | "$bin" create-admin --tenant Scimco --email ada@example.com \
  --kind production --plan enterprise --password-stdin >/dev/null

RUST_LOG=${RUST_LOG:-warn} "$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fso /dev/null "$base/healthz" && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H 'Accept: application/json' \
  --data-urlencode "email=ada@example.com" --data-urlencode "password=$PW" "$base/api/sign_in" |
  sed -n 's/^set-cookie: *\([^=;]*session[^=;]*=[^;]*\).*/\1/Ip' | head -n1)
[ -n "$cookie" ] || { echo "scim-test: could not sign in" >&2; exit 1; }
key=$(curl -s -H "Origin: $base" -H 'Content-Type: application/json' -b "$cookie" \
  --data-binary '{"input":{"name":"scim2-tester","scopes":["scim"],"expires":""}}' \
  "$base/api/create_api_key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

start=$(date +%s)
status=0
GATEHOUSE_SCIM_URL="$base/scim/v2" GATEHOUSE_SCIM_TOKEN="$key" "$py" "$root/.ci/scim-tester.py" "$@" || status=$?
echo "scim-test: scim2-tester took $(( $(date +%s) - start )) s (exit $status)"
if grep -E '"level":"(ERROR|error)"|panicked| ERROR ' "$work/server.log" >/dev/null; then
  echo "scim-test: the server logged errors:" >&2
  grep -E '"level":"(ERROR|error)"|panicked| ERROR ' "$work/server.log" | head -20 >&2
  status=1
fi
exit $status
