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
st="$(cd "$(dirname "$0")/.." && pwd)/.ci/.venv-schemathesis/bin/schemathesis"
[ -x "$st" ] || { echo "install first: .ci/install-tools.sh fuzz" >&2; exit 1; }
key_scopes='["check","members:read","members:write"]' key_name=Schemathesis work_name=fuzz
. "$(dirname "$0")/fresh-server.sh"

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
server_errors || status=1
exit $status
