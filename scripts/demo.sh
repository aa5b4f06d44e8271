#!/usr/bin/env bash
# Runs setpass in demo mode: a fresh local Keystone (scripts/keystone.sh), a config in
# target/demo/ and the service in the foreground, set up as an MFA cloud is: a service user
# for setpass, the seed's MFA rules enforced ([["password","totp"],["application_credential"]]),
# self-enrollment and recovery on. Two users: demo-user (an admin's random password, for the
# one-time link) and demo-existing (an existing user whose rules already want TOTP, for
# /enroll, then /recover). Prints the commands to try each. Ctrl-C stops both.
#
#   scripts/demo.sh
#   DEMO_PORT=8081 DEMO_KEYSTONE_PORT=5001 scripts/demo.sh
#
# Needs: Rust, python3 (with venv), gcc, curl. The first run installs Keystone from PyPI
# (about a minute) and builds setpass in release mode (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${DEMO_PORT:-8080}"
KEYSTONE_PORT="${DEMO_KEYSTONE_PORT:-5000}"
ADMIN_PASSWORD="${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"
export KEYSTONE_ADMIN_PASSWORD="$ADMIN_PASSWORD"
KEYSTONE="http://127.0.0.1:$KEYSTONE_PORT/v3"
SETPASS="http://127.0.0.1:$PORT"
DIR=target/demo
CONFIG="$DIR/config.toml"
DEMO_USER=demo-user

log() { echo "demo.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# SO_REUSEADDR like the servers use, so connections in TIME_WAIT do not count.
port_free() {
    python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# JSON in and out through python3, so passwords with quotes or backslashes survive.
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])' "$@"; }
shell_quote() { python3 -c 'import shlex, sys; print(shlex.quote(sys.argv[1]))' "$1"; }

auth_body() {
    python3 -c 'import json, sys; print(json.dumps({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": sys.argv[1]}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}))' "$ADMIN_PASSWORD"
}

for tool in cargo curl python3; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
port_free "$PORT" || die "port $PORT is in use; choose another with DEMO_PORT=..."
scripts/keystone.sh stop demo # a demo Keystone left over from a killed run
for _ in $(seq 1 20); do port_free "$KEYSTONE_PORT" && break || sleep 0.25; done
port_free "$KEYSTONE_PORT" || die "port $KEYSTONE_PORT is in use; choose another with DEMO_KEYSTONE_PORT=..."

server=""
cleanup() {
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    scripts/keystone.sh stop demo
    log "stopped setpass and the demo Keystone"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building setpass (release; the first build takes a few minutes)"
cargo build --release

# A fresh Keystone each run, so a fresh database too: old records would name gone users.
rm -rf "$DIR"
mkdir -p "$DIR"
log "starting a fresh Keystone on port $KEYSTONE_PORT (log: $DIR/keystone.out)"
scripts/keystone.sh start demo "$KEYSTONE_PORT" >"$DIR/keystone.out" 2>&1 ||
    { tail -n 30 "$DIR/keystone.out" >&2; die "Keystone did not start"; }

admin_token=$(curl -fsS -o /dev/null -D - "$KEYSTONE/auth/tokens" \
    -H 'Content-Type: application/json' -d "$(auth_body)" |
    awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r')
[ -n "$admin_token" ] || die "could not log in to Keystone as admin"

# JSON bodies built by python3 from arguments, so any password survives.
user_json() {
    python3 -c 'import json, sys
user = {"name": sys.argv[1], "password": sys.argv[2], "domain_id": "default"}
if sys.argv[3:]:
    user["options"] = {"multi_factor_auth_enabled": True, "multi_factor_auth_rules": json.loads(sys.argv[3])}
print(json.dumps({"user": user}))' "$@"
}
create_user() { # name password [rules]
    curl -fsS "$KEYSTONE/users" -H "X-Auth-Token: $admin_token" \
        -H 'Content-Type: application/json' -d "$(user_json "$@")" | json_field user id
}
lookup_id() { # collection name
    curl -fsS "$KEYSTONE/$1?name=$2" -H "X-Auth-Token: $admin_token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]][0]["id"])' "$1"
}
random_password() { echo "Demo-$(python3 -c 'import secrets; print(secrets.token_hex(6))')-7"; }

# The seed's rules: the web with password and TOTP, the command line with an application credential.
SEED_RULES='[["password","totp"],["application_credential"]]'
# The demo Keystone's password rule wants a digit and at least 8 characters.
user_password=$(random_password)
user_id=$(create_user "$DEMO_USER" "$user_password")
log "created Keystone user $DEMO_USER ($user_id), for the one-time link"
existing_password=$(random_password)
existing_id=$(create_user demo-existing "$existing_password" "$SEED_RULES")
log "created Keystone user demo-existing ($existing_id) with the seed's MFA rules, for /enroll"

# setpass's service user: the admin role on the admin project. (An application credential
# would do for MFA rules, but Keystone refuses its tokens on the credentials API.)
service_password=$(random_password)
service_id=$(create_user setpass-service "$service_password")
curl -fsS -X PUT -o /dev/null -H "X-Auth-Token: $admin_token" \
    "$KEYSTONE/projects/$(lookup_id projects admin)/users/$service_id/roles/$(lookup_id roles admin)"
printf '%s\n' "$service_password" >"$DIR/service-password"
chmod 600 "$DIR/service-password"
log "created the service user setpass-service ($service_id) with the admin role on project admin"

cat >"$CONFIG" <<TOML
# Written by scripts/demo.sh; see config.toml.example for every key.
[server]
listen = "127.0.0.1:$PORT"
public_url = "$SETPASS"

[database]
path = "$DIR/setpass.db"

[keystone]
auth_url = "$KEYSTONE"
service_user_name = "setpass-service"
service_user_password_file = "$DIR/service-password"
enforce_mfa = true
mfa_rules = $SEED_RULES

[self_enroll]
enabled = true

[recovery]
enabled = true
TOML

cargo run --release --quiet -- --config "$CONFIG" &
server=$!
# cargo may still be compiling if a source changed since the build above.
until curl -fsS -o /dev/null "$SETPASS/healthz" 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { server=""; die "setpass did not start; see the log above"; }
    sleep 0.2
done

put_body=$(python3 -c 'import json, sys; print(json.dumps({"password": sys.argv[1], "pin": "1234"}))' \
    "$user_password")
enroll_body=$(python3 -c 'import json, sys; print(json.dumps({"user_name": "demo-existing", "password": sys.argv[1]}))' \
    "$existing_password")
cat <<EXAMPLE

  setpass is running at $SETPASS (config: $CONFIG), Keystone at $KEYSTONE.
  MFA rules $SEED_RULES are enforced after each enrollment; self-enrollment and recovery are on.

  1. A new user, by one-time link. Keystone user $DEMO_USER ($user_id) has the random
     password $user_password. In another terminal, get an admin token and issue the link:

    TOKEN=\$(curl -sS -o /dev/null -D - $KEYSTONE/auth/tokens \\
      -H 'Content-Type: application/json' \\
      -d $(shell_quote "$(auth_body)") \\
      | awk 'tolower(\$1) == "x-subject-token:" { print \$2 }' | tr -d '\\r')

    curl -sS -X PUT $SETPASS/token/$user_id -H "X-Auth-Token: \$TOKEN" \\
      -H 'Content-Type: application/json' -d $(shell_quote "$put_body")

    curl -sS $SETPASS/token/$user_id -H "X-Auth-Token: \$TOKEN"   # the link's status

     The PUT answers 201 with the link in "url"; open it, the PIN is 1234.

  2. An existing user, at first login: demo-existing has the password $existing_password
     and MFA rules that want TOTP, so that password alone gets no token. Open

    $SETPASS/enroll

     or start it from the command line (the answer holds the secret to type into an app,
     and the enrollment to finish with POST /api/v1/enroll/totp):

    curl -sS $SETPASS/api/v1/enroll -H 'Content-Type: application/json' \\
      -d $(shell_quote "$enroll_body")

  3. A lost phone: after step 2, keep one of the recovery codes shown, then open

    $SETPASS/recover

  Press Ctrl-C to stop setpass and Keystone.

EXAMPLE

wait "$server"
