# Sourced by load.sh and load-replicas.sh: wrk helpers.

# A wrk script that POSTs `body` as `type`, from `origin`, with `extra` headers.
post_script() {
  local file=$1 body=$2 type=$3 extra=${4:-} origin=${5:-$base}
  printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "%s"\n' "$body" "$type" >"$file"
  printf 'wrk.headers["Accept"] = "application/json"\nwrk.headers["Origin"] = "%s"\n%s\n' "$origin" "$extra" >>"$file"
}

# wrk with its latency table; prints "req/s p50 p99 non2xx".
measure() {
  local out
  out=$(wrk -t1 "$@" --latency 2>&1)
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "${rps:-0} ${p50:-?} ${p99:-?} ${bad:-0}"
}
