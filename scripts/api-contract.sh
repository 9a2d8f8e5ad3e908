#!/usr/bin/env bash
# The API contract, checked against the real thing: validates the OpenAPI
# document (Sources/StewardOpenAPI/openapi.yaml, the file the binary embeds),
# checks that the manager serves exactly that file, then runs schemathesis
# (PyPI) against a live `steward demo` with credentials, for a bounded number
# of cases per operation. Fails on any 5xx, any response that breaks the
# document, any request the document calls invalid that the server accepts,
# and any request the document calls valid that the server refuses by a rule
# the document does not state (positive_data_acceptance).
# Usage: scripts/api-contract.sh [path/to/steward]   (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC="$PWD/Sources/StewardOpenAPI/openapi.yaml"
BIN=${1:-$(swift build --show-bin-path)/steward}
WORK=$(mktemp -d /tmp/steward-contract.XXXXXX)
VENV=${STEWARD_CONTRACT_VENV:-/tmp/steward-contract-venv}
PORT=${STEWARD_CONTRACT_PORT:-19543}
PASSWORD=Contract-pass-1
DEMO=""
cleanup() {
  if [ -n "$DEMO" ]; then
    kill -INT "$DEMO" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$DEMO" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DEMO" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'schemathesis>=4,<5' 'openapi-spec-validator>=0.7'
fi

"$VENV/bin/python" - "$SPEC" <<'PY'
import sys
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename(sys.argv[1])
validate(spec)
print(f"openapi.yaml: valid OpenAPI {spec['openapi']}, {len(spec['paths'])} paths")
PY

# Throttling would answer schemathesis's deliberate bad logins with 429; it has its own tests.
setsid "$BIN" demo --data-dir "$WORK/data" --port "$PORT" --port-shift 7000 --admin-password "$PASSWORD" \
  --login-failure-limit 1000000 > "$WORK/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 300); do
  n=$(curl -s -u "admin:$PASSWORD" "http://127.0.0.1:$PORT/web/v1/cluster/1/hosts" 2>/dev/null | grep -o '"CONNECTED"' | wc -l || true)
  [ "$n" -ge 3 ] && break
  sleep 0.1
done
[ "$n" -ge 3 ] || { echo "the demo did not come up"; cat "$WORK/demo.log"; exit 1; }
# The binary embeds the file: what it serves and prints is the file, byte for byte.
curl -sf -u "admin:$PASSWORD" "http://127.0.0.1:$PORT/web/v1/openapi.yaml" | cmp - "$SPEC"
"$BIN" openapi | cmp - "$SPEC"

# Schema-valid data is refused (400) only by rules across fields or of
# meaning, which no schema can state (the document's descriptions do):
# modify_self_password needs the caller's own old_password and a
# confirm_password that repeats new_password; a user's password must not
# contain the user's name (in the body, or the path for PUT). Every other
# rule of those bodies is in the document, and OpenAPIContractTests checks
# the password rule there against the server's own policy function.
cat > "$WORK/schemathesis.toml" <<'TOML'
[warnings]
fail-on = ["missing_auth"]

# An Idempotency-Key used before for another request is 422 (10022) on every
# operation that makes a command: a fact of the history, as a busy service's 409 is.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "modifySelfPassword"
checks.positive_data_acceptance.enabled = false

# A host name is a host of the cluster's stack, with a credential (404 otherwise);
# approve needs a PENDING one (409 otherwise): facts of the cluster, not of the schema.
[[operations]]
include-operation-id-regex = "^(revokeAgentCredential|approveAgentCredential)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409"]

# A rollback to a version the configuration already has changes nothing (409,
# 12004); a version number the cluster has not reached is 404: facts of its history.
[[operations]]
include-operation-id = "rollbackConfiguration"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409"]

[[operations]]
include-operation-id-regex = "^(createUser|updateUser)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
TOML
cd "$WORK"
# CAS and agent endpoints take other credentials (form, cookies, agent token): their own tests cover them.
"$VENV/bin/st" --config-file "$WORK/schemathesis.toml" run "$SPEC" --url "http://127.0.0.1:$PORT" \
  --auth "admin:$PASSWORD" --phases examples,coverage,fuzzing --max-examples 30 --seed 42 --no-color \
  --exclude-path-regex '^/(cas|agent)/|cas_security_check' \
  --report junit --report-junit-path "$WORK/junit.xml"
echo "api contract: schemathesis found no failures"
