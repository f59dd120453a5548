#!/usr/bin/env bash
# `make scim-test`: scim2-tester (PyPI) against /scim/v2 of the release server, on a
# free port with a brand-new SQLite database and an API key with the scim scope.
# Prints each check and "N of M checks passed"; fails when any check fails (a
# check scim2-tester skips, because ServiceProviderConfig says the feature is not
# offered, fails nothing), or when the server logs an error.
set -euo pipefail
py="$(cd "$(dirname "$0")/.." && pwd)/.ci/.venv-scim/bin/python"
[ -x "$py" ] || { echo "install first: .ci/install-tools.sh scim" >&2; exit 1; }
key_scopes='["scim"]' key_name=scim2-tester work_name=scim
. "$(dirname "$0")/fresh-server.sh"

start=$(date +%s)
status=0
GATEHOUSE_SCIM_URL="$base/scim/v2" GATEHOUSE_SCIM_TOKEN="$key" "$py" "$root/.ci/scim-tester.py" "$@" || status=$?
echo "scim-test: scim2-tester took $(( $(date +%s) - start )) s (exit $status)"
server_errors || status=1
exit $status
