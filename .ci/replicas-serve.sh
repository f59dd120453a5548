#!/usr/bin/env bash
# make replicas: PostgreSQL, two Gatehouse replicas on one new database and nginx in
# front of them (deploy/nginx.conf) on http://127.0.0.1:8080, until Ctrl-C.
set -euo pipefail
GATEHOUSE_REPLICAS_PORT=${GATEHOUSE_REPLICAS_PORT:-8080}
replicas_smtp=0
. "$(dirname "$0")/replicas.sh"
cat <<TEXT
Gatehouse: two replicas on PostgreSQL behind nginx.
  nginx (round robin)  $base
  replica A            $replica_a
  replica B            $replica_b
  database             $db_url (dropped when you stop)
  mail                 $GATEHOUSE_OUTBOX
Create the first tenant and admin (in another terminal):
  echo 'a long password here' | DATABASE_URL=$db_url $bin create-admin --tenant Acme --email admin@example.com --password-stdin
Ctrl-C stops everything.
TEXT
wait "$nginx_pid"
