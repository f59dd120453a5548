# Sourced by api-fuzz.sh and scim-test.sh: a private copy of the release server on a
# free port with a brand-new SQLite database, a tenant on the enterprise plan with
# ada@example.com as its admin, and an API key with the scopes in $key_scopes (a
# JSON list). Sets: root, work, base, key, server (its pid); stops the server and
# removes $work on exit.
#   key_scopes='["scim"]' key_name=scim2-tester work_name=scim . .ci/fresh-server.sh
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
built=${GATEHOUSE_BIN:-$target/release/gatehouse}
work=$(mktemp -d "/tmp/gatehouse-${work_name:-fresh}.XXXXXX")
# A private copy of the binary: a rebuild may replace (or briefly remove) the built one.
cp "$built" "$work/gatehouse" 2>/dev/null || { echo "build first: make build" >&2; exit 1; }
# Its bundle's hashed file names are read from hash.txt beside the binary.
cp "$(dirname "$built")/hash.txt" "$work/" 2>/dev/null || true
bin="$work/gatehouse"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/server.db"
export GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key"
export GATEHOUSE_LISTEN="127.0.0.1:$port"
export GATEHOUSE_PUBLIC_URL="$base"
# Thousands of requests with one key in a few minutes: the rate limit is tested
# elsewhere (server/tests/it/v1.rs) and must not turn the run into 429s.
export GATEHOUSE_API_PER_KEY_PER_MINUTE=1000000
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg

PW='a long and unguessable passphrase'
echo "$PW" | "$bin" create-admin --tenant Freshco --email ada@example.com \
  --kind production --plan enterprise --password-stdin >/dev/null

RUST_LOG=${RUST_LOG:-warn} "$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fso /dev/null "$base/healthz" && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H 'Accept: application/json' \
  --data-urlencode "email=ada@example.com" --data-urlencode "password=$PW" "$base/api/sign_in" |
  sed -n 's/^set-cookie: *\([^=;]*session[^=;]*=[^;]*\).*/\1/Ip' | head -n1)
[ -n "$cookie" ] || { echo "${work_name:-fresh}: could not sign in" >&2; exit 1; }
key=$(curl -s -H "Origin: $base" -H 'Content-Type: application/json' -b "$cookie" \
  --data-binary "{\"input\":{\"name\":\"${key_name:-tests}\",\"scopes\":${key_scopes},\"expires\":\"\"}}" \
  "$base/api/create_api_key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

# Fails (status 1) when the server logged an error or a panic.
server_errors() {
  if grep -E '"level":"(ERROR|error)"|panicked| ERROR ' "$work/server.log" >/dev/null; then
    echo "${work_name:-fresh}: the server logged errors:" >&2
    grep -E '"level":"(ERROR|error)"|panicked| ERROR ' "$work/server.log" | head -20 >&2
    return 1
  fi
}
