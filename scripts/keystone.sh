#!/usr/bin/env bash
# Installs (once, cached) and runs a real OpenStack Keystone on a loopback port for
# the integration tests and the demo. SQLite backend, fernet tokens, one uwsgi worker.
#
#   scripts/keystone.sh install              # venv only (cached under ~/.cache)
#   scripts/keystone.sh python               # prints the venv's python (it has aiosmtpd,
#                                            # the tests' SMTP server, scripts/smtp_sink.py)
#   scripts/keystone.sh start NAME PORT [--first-use]
#                                            # state in $KEYSTONE_STATE/NAME, waits for GET /v3
#   scripts/keystone.sh stop NAME
#
# --first-use turns on [security_compliance] change_password_upon_first_use, so every
# user an admin creates starts with an expired password (how many clouds run).
# The bootstrap admin is admin / $KEYSTONE_ADMIN_PASSWORD in project admin, domain default.
set -euo pipefail

KEYSTONE_VERSION="${KEYSTONE_VERSION:-30.0.0}"
UWSGI_VERSION="${UWSGI_VERSION:-2.0.31}"
AIOSMTPD_VERSION="${AIOSMTPD_VERSION:-1.4.6}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/setpass"
VENV="${KEYSTONE_VENV:-$CACHE/keystone-$KEYSTONE_VERSION-venv}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE_ROOT="${KEYSTONE_STATE:-$ROOT/target/keystone}"
ADMIN_PASSWORD="${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"
PASSWORD_REGEX='^(?=.*[0-9]).{8,}$'
PASSWORD_REGEX_DESCRIPTION='Passwords must contain at least one digit and be at least 8 characters long'

log() { echo "keystone.sh: $*" >&2; }

install() {
    if [ -x "$VENV/bin/uwsgi" ] && [ -f "$VENV/.complete" ]; then
        install_smtp
        return
    fi
    log "installing keystone $KEYSTONE_VERSION and uwsgi $UWSGI_VERSION into $VENV (about a minute)"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip wheel
    "$VENV/bin/pip" install --quiet "keystone==$KEYSTONE_VERSION" "uwsgi==$UWSGI_VERSION"
    touch "$VENV/.complete"
    install_smtp
}

# The tests' loopback SMTP server; added after the venv, so an existing venv gets it too.
install_smtp() {
    if [ -f "$VENV/.aiosmtpd-$AIOSMTPD_VERSION" ]; then
        return
    fi
    log "installing aiosmtpd $AIOSMTPD_VERSION into $VENV"
    "$VENV/bin/pip" install --quiet "aiosmtpd==$AIOSMTPD_VERSION"
    touch "$VENV/.aiosmtpd-$AIOSMTPD_VERSION"
}

write_conf() {
    local dir="$1" first_use="$2"
    cat >"$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/keystone.log
debug = false

[database]
connection = sqlite:///$dir/keystone.db

[token]
provider = fernet
expiration = 3600

[fernet_tokens]
key_repository = $dir/fernet-keys

[fernet_receipts]
key_repository = $dir/fernet-receipts

[credential]
key_repository = $dir/credential-keys

[auth]
methods = password,token,totp,application_credential

[identity]
# Fast hashing: these are throwaway test users.
password_hash_algorithm = bcrypt
password_hash_rounds = 4

[security_compliance]
change_password_upon_first_use = $first_use
password_regex = $PASSWORD_REGEX
password_regex_description = $PASSWORD_REGEX_DESCRIPTION
CONF
}

manage() {
    local dir="$1"; shift
    "$VENV/bin/keystone-manage" --config-file "$dir/keystone.conf" "$@"
}

start() {
    local name="$1" port="$2" first_use=false
    [ "${3:-}" = "--first-use" ] && first_use=true
    install
    local dir="$STATE_ROOT/$name"
    stop "$name" 2>/dev/null || true
    rm -rf "$dir"
    mkdir -p "$dir"
    # Bootstrap before enabling first-use expiry, or the admin's own password starts expired.
    write_conf "$dir" false
    local who=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
    manage "$dir" db_sync
    manage "$dir" fernet_setup "${who[@]}"
    manage "$dir" receipt_setup "${who[@]}"
    manage "$dir" credential_setup "${who[@]}"
    manage "$dir" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-admin-url "http://127.0.0.1:$port/v3" \
        --bootstrap-public-url "http://127.0.0.1:$port/v3" \
        --bootstrap-region-id RegionOne
    write_conf "$dir" "$first_use"
    OS_KEYSTONE_CONFIG_FILES="$dir/keystone.conf" \
        nohup "$VENV/bin/uwsgi" --http "127.0.0.1:$port" --http-keepalive \
        --module keystone.wsgi.api:application --master --processes 1 --threads 1 \
        --die-on-term --pidfile "$dir/uwsgi.pid" --logto "$dir/uwsgi.log" \
        --env "OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf" >/dev/null 2>&1 &
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$port/v3" >/dev/null 2>&1; then
            log "$name ready on http://127.0.0.1:$port/v3 (first-use expiry: $first_use)"
            return
        fi
        sleep 0.5
    done
    log "$name did not answer on port $port; last log lines:"
    tail -n 30 "$dir/uwsgi.log" "$dir/keystone.log" >&2 || true
    exit 1
}

stop() {
    local pidfile="$STATE_ROOT/$1/uwsgi.pid"
    if [ -f "$pidfile" ]; then
        kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    fi
}

case "${1:-}" in
    install) install ;;
    python) echo "$VENV/bin/python" ;;
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 install | python | start NAME PORT [--first-use] | stop NAME" >&2; exit 2 ;;
esac
