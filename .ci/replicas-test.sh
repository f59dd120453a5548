#!/usr/bin/env bash
# make replicas-test: two replicas of the release server started at the same moment
# on an empty PostgreSQL database behind nginx (.ci/replicas.sh), then
# .ci/replicas_test.py drives them directly and through nginx. Also checks that the
# concurrent first start logged no error and that SIGTERM ends a replica with status 0.
set -euo pipefail
replicas_env="GATEHOUSE_LOCKOUT_THRESHOLD=4 GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=8 GATEHOUSE_SHUTDOWN_GRACE_SECONDS=10"
# A serves Prometheus metrics; B logs JSON, with every request's line (debug).
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
replica_a_env="GATEHOUSE_METRICS_LISTEN=127.0.0.1:$metrics_port"
replica_b_env="GATEHOUSE_LOG_FORMAT=json RUST_LOG=info,server=debug"
. "$(dirname "$0")/replicas.sh"
started=$SECONDS
status=0

errors() { grep -E ' ERROR |"level":"ERROR"|panicked' "$work/a.log" "$work/b.log" || true; }
if [ -n "$(errors)" ]; then
  echo "FAIL the replicas logged errors while both migrated the empty database:"; errors | head
  status=1
else
  echo "ok   both replicas came up together on the empty database, no error logged"
fi
migrations=$(psql "$db_url" -Atc "SELECT COUNT(*) FROM seaql_migrations")
echo "ok   $migrations migrations applied once each (the advisory lock)"

PASSWORD='a long and unguessable passphrase'
echo "$PASSWORD" | "$bin" create-admin --tenant Replicaco --email ada@example.com --plan team --password-stdin >/dev/null
"$bin" tenant set-plan --tenant Replicaco --plan team --seats 11 >/dev/null
echo "$PASSWORD" | "$bin" create-admin --tenant Lockco --email lee@example.com --plan team --password-stdin >/dev/null

METRICS="http://127.0.0.1:$metrics_port" LOG_B="$work/b.log" BASE="$base" REPLICA_A="$replica_a" REPLICA_B="$replica_b" PID_B="$pid_b" DB_URL="$db_url" \
  MAILDIR="$maildir" PG_DIR="${GATEHOUSE_PG_DIR:-/var/tmp/gatehouse-pg}" PASSWORD="$PASSWORD" \
  python3 "$root/.ci/replicas_test.py" || status=1

# The script sent B SIGTERM: it must have finished and exited 0.
b_status=0; wait "$pid_b" || b_status=$?
pid_b=""
if [ "$b_status" = 0 ] && grep -q '"stopped"' "$work/b.log"; then
  echo "ok   replica B exited 0 after SIGTERM"
else
  echo "FAIL replica B exited $b_status after SIGTERM"; tail -n 20 "$work/b.log"; status=1
fi
if [ $status -ne 0 ]; then
  echo "---- replica logs ----"; tail -n 30 "$work/a.log" "$work/b.log" "$work/nginx-error.log"
fi
echo "replicas-test: $((SECONDS - started)) s"
exit $status
