# Sourced by replicas-test.sh, e2e-replicas and `make replicas`: a fresh PostgreSQL
# database, an SMTP sink, two replicas of the release server started at the same
# moment on that empty database (the concurrent first start), and Debian's nginx in
# front of them running deploy/nginx.conf with these ports put in.
# Sets: root work bin base (nginx) replica_a replica_b pid_a pid_b nginx_pid db_url
# maildir smtp_pid; exports the replicas' environment; stops everything on exit.
# Optional before sourcing: replicas_env (extra VAR=value words for both replicas),
# replica_a_env and replica_b_env (for one of them), replicas_smtp=0 (mail as .eml
# files in a shared outbox folder instead of the SMTP sink).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
built=${GATEHOUSE_BIN:-$target/release/gatehouse}
work=$(mktemp -d /tmp/gatehouse-replicas.XXXXXX)
chmod 755 "$work"
cp "$built" "$work/gatehouse" 2>/dev/null || { echo "build first: make build" >&2; exit 1; }
# Its bundle's hashed file names are read from hash.txt beside the binary.
cp "$(dirname "$built")/hash.txt" "$work/" 2>/dev/null || true
bin="$work/gatehouse"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg=$("$root/.ci/postgres.sh" start)
db_name="gh_test_replicas_$(date +%s)_$$"
psql "$pg" -qc "CREATE DATABASE $db_name" >/dev/null
db_url="${pg%/*}/$db_name"

port_a=$(free_port); port_b=$(free_port); port_smtp=$(free_port)
port_n=${GATEHOUSE_REPLICAS_PORT:-$(free_port)}
base="http://127.0.0.1:$port_n"
replica_a="http://127.0.0.1:$port_a"
replica_b="http://127.0.0.1:$port_b"

maildir="$work/maildir"
smtp_pid=""
if [ "${replicas_smtp:-1}" = 1 ]; then
  # Mail through a real SMTP sink (one file per message received); else .eml files in
  # the outbox folder both replicas share (what the Playwright suite reads).
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port_smtp" -c aiosmtpd.handlers.Mailbox "$maildir" \
    >/dev/null 2>&1 &
  smtp_pid=$!
  export GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$port_smtp"
fi

# Every replica uses the same key (made once, as an operator would).
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$work/secret.key"
chmod 600 "$work/secret.key"
export DATABASE_URL="$db_url"
export GATEHOUSE_SECRET_KEY_FILE="$work/secret.key"
export GATEHOUSE_OUTBOX="$work/outbox"
export GATEHOUSE_PUBLIC_URL="$base"
export GATEHOUSE_TRUSTED_PROXIES=127.0.0.1
export LEPTOS_SITE_ROOT="$root/target/site" LEPTOS_OUTPUT_NAME=gatehouse LEPTOS_SITE_PKG_DIR=pkg

pid_a=""; pid_b=""; nginx_pid=""
replicas_cleanup() {
  for p in $pid_a $pid_b $nginx_pid $smtp_pid; do kill "$p" 2>/dev/null || true; done
  for p in $pid_a $pid_b $nginx_pid $smtp_pid; do wait "$p" 2>/dev/null || true; done
  psql "$pg" -qc "DROP DATABASE IF EXISTS $db_name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap replicas_cleanup EXIT

# Both at the same moment, on the empty database.
env GATEHOUSE_LISTEN="127.0.0.1:$port_a" RUST_LOG=${RUST_LOG:-info} ${replicas_env:-} ${replica_a_env:-} \
  "$bin" serve >"$work/a.log" 2>&1 &
pid_a=$!
env GATEHOUSE_LISTEN="127.0.0.1:$port_b" RUST_LOG=${RUST_LOG:-info} ${replicas_env:-} ${replica_b_env:-} \
  "$bin" serve >"$work/b.log" 2>&1 &
pid_b=$!

sed -e "s/127.0.0.1:3001/127.0.0.1:$port_a/" -e "s/127.0.0.1:3002/127.0.0.1:$port_b/" \
  -e "s/127.0.0.1:8080/127.0.0.1:$port_n/" "$root/deploy/nginx.conf" >"$work/gatehouse.conf"
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
# The harness's own nginx.conf: files under $work; the site is deploy/nginx.conf.
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
daemon off;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 512; }
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/gatehouse.conf;
}
NGINX
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
nginx_pid=$!

ready() { curl -fso /dev/null --max-time 2 "$1/readyz"; }
for _ in $(seq 300); do
  ready "$replica_a" && ready "$replica_b" && ready "$base" && break
  sleep 0.1
done
for url in "$replica_a" "$replica_b" "$base"; do
  ready "$url" || {
    echo "replicas: $url is not ready" >&2
    tail -n 20 "$work/a.log" "$work/b.log" "$work/nginx-error.log" "$work/nginx.out" >&2
    exit 1
  }
done
