#!/usr/bin/env bash
# make e2e-replicas: the whole Playwright suite once through nginx in front of two
# replicas on one PostgreSQL database (.ci/replicas.sh), mail in the outbox folder
# both replicas share.
set -euo pipefail
replicas_smtp=0
replicas_env="GATEHOUSE_SIGN_IN_PER_IP_PER_MINUTE=10000 GATEHOUSE_WEBHOOK_ALLOW_PRIVATE=1"
RUST_LOG=${RUST_LOG:-warn}
. "$(dirname "$0")/replicas.sh"
export BASE_URL="$base" GATEHOUSE_BIN="$bin"
started=$SECONDS
status=0
(cd "$root/end2end" && npx playwright test --grep-invert @a11y "$@") || status=$?
if [ $status -ne 0 ]; then
  echo "---- replica logs ----"; tail -n 30 "$work/a.log" "$work/b.log" "$work/nginx-error.log"
fi
echo "e2e-replicas: $((SECONDS - started)) s"
exit $status
