#!/usr/bin/env bash
# `make api-fuzz`: Schemathesis (PyPI) against the /v1 OpenAPI document of the
# release server, on a free port with a brand-new SQLite database, with an API key
# holding every scope the document uses. Fails on any 5xx, any response that breaks
# the document (status, content type, schema, headers), and any accepted request the
# document says is invalid. Not checked: that every schema-valid request is accepted
# (positive_data_acceptance): a valid-looking template id of nobody, or suspending an
# invitation, is refused by the rules with a problem detail, as it should be.
# Prints the run's summary and how long it took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
built=${GATEHOUSE_BIN:-$target/release/gatehouse}
site="$root/target/site"
venv="$root/.ci/.venv-schemathesis"
st="$venv/bin/schemathesis"
[ -x "$st" ] || { echo "install first: .ci/install-tools.sh fuzz" >&2; exit 1; }

work=$(mktemp -d /tmp/gatehouse-fuzz.XXXXXX)
# A private copy of the binary: a rebuild may replace (or briefly remove) the built one.
cp "$built" "$work/gatehouse" 2>/dev/null || { echo "build first: make build" >&2; exit 1; }
bin="$work/gatehouse"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/fuzz.db"
export GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key"
export GATEHOUSE_LISTEN="127.0.0.1:$port"
# Thousands of requests with one key in a few minutes: the rate limit is tested
# elsewhere (server/tests/it/v1.rs) and must not turn the run into 429s.
export GATEHOUSE_API_PER_KEY_PER_MINUTE=1000000
export LEPTOS_SITE_ROOT="$site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg

PW='a long and unguessable passphrase'
echo "$PW" | "$bin" create-admin --tenant Fuzzco --email ada@example.com \
  --kind production --plan enterprise --password-stdin >/dev/null

RUST_LOG=${RUST_LOG:-warn} "$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fso /dev/null "$base/healthz" && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H 'Accept: application/json' \
  --data-urlencode "email=ada@example.com" --data-urlencode "password=$PW" "$base/api/sign_in" |
  sed -n 's/^set-cookie: *\([^=;]*session[^=;]*=[^;]*\).*/\1/Ip' | head -n1)
[ -n "$cookie" ] || { echo "api-fuzz: could not sign in" >&2; exit 1; }
key=$(curl -s -H "Origin: $base" -H 'Content-Type: application/json' -b "$cookie" \
  --data-binary '{"input":{"name":"Schemathesis","scopes":["check","members:read","members:write"],"expires":""}}' \
  "$base/api/create_api_key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
# Room to invite: the enterprise plan's seats, and a few members to read and change.
for i in 1 2 3; do
  curl -s -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"member$i@example.com\"}" "$base/v1/members"
done

start=$(date +%s)
status=0
"$st" run "$base/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --max-examples "${FUZZ_EXAMPLES:-40}" \
  --seed "${FUZZ_SEED:-20261203}" \
  --no-color || status=$?
echo "api-fuzz: schemathesis took $(( $(date +%s) - start )) s (exit $status)"
if grep -E '"level":"(ERROR|error)"|panicked' "$work/server.log" >/dev/null; then
  echo "api-fuzz: the server logged errors:" >&2
  grep -E '"level":"(ERROR|error)"|panicked' "$work/server.log" | head -20 >&2
  status=1
fi
exit $status
