#!/usr/bin/env bash
# make load, its replicas part: list_members on PostgreSQL with LOAD_MEMBERS members,
# asked of one replica directly, through nginx with that one replica behind it, and
# through nginx with two replicas (deploy/nginx.conf), all on this machine. Prints
# req/s, p50 and p99 of each and their ratio to the direct figure.
set -euo pipefail
duration=${LOAD_SECONDS:-10}s
connections=${LOAD_CONNECTIONS:-32}
members=${LOAD_MEMBERS:-100000}
replicas_smtp=0
replicas_env="GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=100000000"
RUST_LOG=warn
. "$(dirname "$0")/replicas.sh"
. "$root/.ci/wrk.sh"

password='a long and unguessable passphrase'
echo "$password" | "$bin" create-admin --tenant Load --email admin@load.example \
    --plan enterprise --password-stdin >/dev/null
psql "$db_url" -q <<SQL
INSERT INTO accounts (email, display_name, failed_sign_ins, created_at)
  SELECT 'user' || i || '@load.example', '', 0, 1 FROM generate_series(0, $members - 1) AS i;
INSERT INTO memberships (tenant_id, account_id, role, status, crm_access, beta_access, created_at, updated_at)
  SELECT (SELECT id FROM tenants WHERE name = 'Load'), id, 'user',
         CASE WHEN id % 10 = 0 THEN 'suspended' WHEN id % 7 = 0 THEN 'invited' ELSE 'active' END,
         false, false, 1, 1
  FROM accounts WHERE email LIKE 'user%@load.example';
ANALYZE;
SQL

# The same site with replica A alone behind it: the proxy hop's own cost.
port_one=$(free_port)
sed -e "/127.0.0.1:$port_b/d" -e "s/listen 127.0.0.1:$port_n;/listen 127.0.0.1:$port_one;/" \
  "$work/gatehouse.conf" >"$work/gatehouse-one.conf"
sed -e "s#$work/gatehouse.conf#$work/gatehouse-one.conf#" -e "s#$work/nginx.pid#$work/nginx-one.pid#" \
  "$work/nginx.conf" >"$work/nginx-one.conf"
mkdir -p "$work/nginx-one"
/usr/sbin/nginx -p "$work/nginx-one" -c "$work/nginx-one.conf" >/dev/null 2>&1 &
one_pid=$!
trap 'kill $one_pid 2>/dev/null || true; replicas_cleanup' EXIT
for _ in $(seq 100); do curl -fso /dev/null "http://127.0.0.1:$port_one/readyz" && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -H "Origin: $base" -H "Accept: application/json" \
    --data-urlencode "email=admin@load.example" --data-urlencode "password=$password" "$base/api/sign_in" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(gatehouse_session=[^;]*\).*/\1/p' | head -1)
[ -n "$cookie" ] || { echo "load-replicas: could not sign in" >&2; exit 1; }
list_body='{"query":{"search":"","status":null,"role":null,"page":0}}'
post_script "$work/list.lua" "$list_body" application/json "wrk.headers[\"Cookie\"] = \"$cookie\"" "$base"

declare -A result
for target in "direct $replica_a" "nginx-one http://127.0.0.1:$port_one" "nginx-two $base"; do
  read -r label url <<<"$target"
  result[$label]=$(measure -c"$connections" -d"$duration" -s "$work/list.lua" "$url/api/list_members")
done
direct_rps=$(cut -d' ' -f1 <<<"${result[direct]}")
echo
echo "make load, replicas: list_members on PostgreSQL, $members members, $connections connections, $duration each"
printf '  %-36s %10s %10s %10s %10s %8s\n' "" "req/s" "p50" "p99" "of direct" "non-2xx"
for row in "direct:one replica, directly" "nginx-one:nginx, one replica behind it" "nginx-two:nginx, two replicas (round robin)"; do
  label=${row%%:*}; words=${row#*:}
  read -r rps p50 p99 bad <<<"${result[$label]}"
  share=$(python3 -c "print(f'{100 * float($rps) / float($direct_rps):.1f} %')")
  printf '  %-36s %10s %10s %10s %10s %8s\n' "$words" "$rps" "$p50" "$p99" "$share" "$bad"
done
echo "  (both replicas, nginx, PostgreSQL and wrk share this machine's $(nproc) cores)"
