#!/usr/bin/env bash
# Schemathesis against the live service: a fresh Keystone (scripts/keystone.sh), a debug setpass
# with self-enrollment, recovery and command-line access on, and `st run` on its /openapi.json
# with a bounded number of examples per operation. Fails on any 5xx or any answer the schema
# does not allow.
#   scripts/schemathesis.sh            (SCHEMATHESIS_EXAMPLES=N, 100 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV="${HOME}/.cache/setpass/schemathesis-venv"
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-100}"
DIR=target/schemathesis
ADMIN_PASSWORD="${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"
export KEYSTONE_ADMIN_PASSWORD="$ADMIN_PASSWORD"

log() { echo "schemathesis.sh: $*" >&2; }
die() { log "$*"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $VERSION" ]; then
    log "installing schemathesis $VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

server=""
cleanup() {
    if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    scripts/keystone.sh stop schemathesis
}
trap cleanup EXIT

cargo build --quiet
rm -rf "$DIR" && mkdir -p "$DIR"
KEYSTONE_PORT=$(free_port)
KEYSTONE="http://127.0.0.1:$KEYSTONE_PORT/v3"
scripts/keystone.sh start schemathesis "$KEYSTONE_PORT" >"$DIR/keystone.out" 2>&1 ||
    { tail -n 30 "$DIR/keystone.out" >&2; die "Keystone did not start"; }

auth_body=$(python3 -c 'import json, sys; print(json.dumps({"auth": {
    "identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": sys.argv[1]}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}))' "$ADMIN_PASSWORD")
admin_token=$(curl -fsS -o /dev/null -D - "$KEYSTONE/auth/tokens" -H 'Content-Type: application/json' \
    -d "$auth_body" | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r')
[ -n "$admin_token" ] || die "could not log in to Keystone as admin"

PORT=$(free_port)
# The rate limits raised as an operator would for a load test: schemathesis sends hundreds of
# requests a minute from one address. 429 is documented and allowed either way.
cat >"$DIR/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
public_url = "http://127.0.0.1:$PORT"
[database]
path = "$DIR/setpass.db"
[keystone]
auth_url = "$KEYSTONE"
[self_enroll]
enabled = true
[recovery]
enabled = true
[cli]
enabled = true
[limits]
user_per_minute = 6000
user_burst = 1000
admin_per_minute = 6000
admin_burst = 1000
TOML
target/debug/setpass --config "$DIR/config.toml" 2>"$DIR/setpass.log" &
server=$!
deadline=$(( $(date +%s) + 60 ))
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { server=""; tail -n 20 "$DIR/setpass.log" >&2; die "setpass did not start"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 20 "$DIR/setpass.log" >&2; die "setpass did not answer /healthz within 60 s"; }
    sleep 0.2
done

# The admin's token (a throwaway Keystone's, one hour) goes to st as a header; st masks
# X-Auth-Token-like headers in its output (output sanitizing is on by default).
"$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --max-examples "$EXAMPLES" --workers 2 --seed 1 \
    -H "X-Auth-Token: $admin_token" || { tail -n 40 "$DIR/setpass.log" | grep -E ' 5[0-9][0-9] |ERROR' >&2 || true; exit 1; }
