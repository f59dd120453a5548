#!/usr/bin/env bash
# make load: the release server (as `make build` made it) on a SQLite database with
# 100,000 members, and an axum hello world built from the same axum and tokio, driven
# by wrk in the same run. Prints req/s and p50/p99 of each, the share of hello's
# throughput, password sign-ins per second under load against what the cores allow,
# and the server's peak RSS. Figures are printed, never asserted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-/var/tmp/gatehouse-target}
bin="$target/release/gatehouse"
hello="$target/benchmark/examples/hello"
argon="$target/benchmark/examples/argon2_verify"
for f in "$bin" "$hello" "$argon"; do [ -x "$f" ] || { echo "missing $f (make load builds it)" >&2; exit 1; }; done
duration=${LOAD_SECONDS:-10}s
connections=${LOAD_CONNECTIONS:-32}
members=${LOAD_MEMBERS:-100000}
password='a long and unguessable passphrase'

work=$(mktemp -d /tmp/gatehouse-load.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); hello_port=$(free_port)
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/load.db" GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key" GATEHOUSE_LISTEN="127.0.0.1:$port"
export GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=100000000 GATEHOUSE_LOCKOUT_THRESHOLD=100000000
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg
export RUST_LOG=warn

echo "$password" | "$bin" create-admin --tenant Load --email admin@load.example \
    --plan enterprise --password-stdin >/dev/null
python3 "$root/.ci/load_seed.py" "$work/load.db" "$members"

"$bin" serve >"$work/server.log" 2>&1 &
server=$!
"$hello" "127.0.0.1:$hello_port" &
hello_pid=$!
cleanup() { kill "$server" "$hello_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

sign_in_body="email=admin%40load.example&password=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$password")"
cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H "Accept: application/json" \
    --data "$sign_in_body" "$base/api/sign_in" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(gatehouse_session=[^;]*\).*/\1/p' | head -1)
[ -n "$cookie" ] || { echo "could not sign in" >&2; tail "$work/server.log" >&2; exit 1; }

. "$root/.ci/wrk.sh"
# The first Users page, unfiltered (wrk and the probe below ask for the same).
list_body='{"query":{"search":"","status":null,"role":null,"page":0}}'
post_script "$work/list.lua" "$list_body" \
    application/json "wrk.headers[\"Cookie\"] = \"$cookie\""
post_script "$work/sign_in.lua" "$sign_in_body" application/x-www-form-urlencoded

declare -A result rss_after
hwm_mb() { awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$server/status"; }
rss_after[start]=$(hwm_mb)
run() {
  local label=$1; shift
  result[$label]=$(measure -c"$connections" -d"$duration" "$@")
  rss_after[$label]=$(hwm_mb)
}
run hello "http://127.0.0.1:$hello_port/"
run healthz "$base/healthz"
run list_members -s "$work/list.lua" "$base/api/list_members"
run "SSR /settings/users" -H "Cookie: $cookie" "$base/settings/users"
run "SSR /sign-in" "$base/sign-in"

# Sign-ins (8 connections, more than the hashing workers) while a probe asks for the
# Users page and list_members 20 times a second, as people using the console would.
measure -c8 -d"$duration" -s "$work/sign_in.lua" "$base/api/sign_in" >"$work/sign_ins" &
signing=$!
python3 "$root/.ci/load_probe.py" "$base" "$cookie" "${duration%s}" "$list_body" >"$work/beside"
wait "$signing"
verify_ms=$("$argon")
cores=$(nproc)
peak_mb=$(hwm_mb)

hello_rps=$(cut -d' ' -f1 <<<"${result[hello]}")
echo
echo "make load: $cores cores, $members members, $connections connections, $duration each"
printf '  %-22s %10s %10s %10s %9s %8s %14s\n' "" "req/s" "p50" "p99" "of hello" "non-2xx" "server peak MB"
for label in hello healthz list_members "SSR /settings/users" "SSR /sign-in"; do
  read -r rps p50 p99 bad <<<"${result[$label]}"
  share=$(python3 -c "print(f'{100 * float($rps) / float($hello_rps):.1f} %')")
  printf '  %-22s %10s %10s %10s %9s %8s %14s\n' "$label" "$rps" "$p50" "$p99" "$share" "$bad" "${rss_after[$label]:-}"
done
read -r s_rps s_p50 s_p99 s_bad <"$work/sign_ins"
read -r b_count b_p50 b_p99 b_bad <"$work/beside"
target=$(python3 -c "print(f'{0.9 * $cores / ($verify_ms / 1000):.1f}')")
echo "  password sign-ins under load: $s_rps/s (p99 $s_p99, non-2xx $s_bad); one argon2 verify ${verify_ms} ms, so 90 % of $cores cores allows $target/s"
echo "  pages beside them (20/s):     $b_count answered, p50 $b_p50, p99 $b_p99 (target ≤ 50 ms), non-2xx $b_bad"
echo "  server peak RSS:              $peak_mb MB (${rss_after[start]} MB once started)"
