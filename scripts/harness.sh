# Sourced by scripts/test.sh and scripts/shapes.sh (from the repository root): installs what a
# fresh machine lacks, starts the real Keystones the tests use, each served the ways clouds
# serve it, exports their URLs as SETPASS_TEST_*, and stops everything when the shell exits.
#
# Keystones: plain (keep-alive, and uwsgi --http-socket: no keep-alive), first-use password
# expiry (both ways too), one without the totp auth method; a private nginx in front of the
# plain one (TLS with a generated CA, TLS wanting a client certificate, devstack's /identity
# prefix). Works on a fresh Debian/Ubuntu machine (besides Rust): what is missing comes from apt.
#
# MariaDB (the MariaDB backend's tests), exported as SETPASS_TEST_MARIADB_URL, an admin URL
# without a database (each test creates and drops its own uniquely named databases):
# SETPASS_TEST_MARIADB_URL if set; else the server on 127.0.0.1:3306 if root answers there
# without a password; else a private server (scripts/mariadb.sh) on a free loopback port with
# its own data directory in target/, stopped and removed with the rest.
# SETPASS_TEST_MARIADB_SOURCE says which: env, local or private.
# Our logs go to target/ before cargo has ever created it.
mkdir -p target

# Root in CI and containers; elsewhere apt-get needs sudo.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The browser test drives Debian's Chromium through its WebDriver; no browser download.
# python3 (with venv, ensurepip, headers) and a C compiler build the Keystone venv (uwsgi is
# compiled); curl waits for the servers; openssl and nginx make the TLS and prefix fronts.
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v curl >/dev/null || need_apt+=(curl)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v nginx >/dev/null || need_apt+=(nginx)
command -v npm >/dev/null || need_apt+=(npm)
# Korean pages in the screenshots need a Hangul font.
fc-list :lang=ko 2>/dev/null | grep -q . || need_apt+=(fonts-nanum)
command -v cc >/dev/null || need_apt+=(build-essential)
# The MariaDB client probes for a server (the private one's binaries: scripts/mariadb.sh).
[ -n "${SETPASS_TEST_MARIADB_URL:-}" ] || command -v mariadb >/dev/null \
    || command -v mysql >/dev/null || need_apt+=(mariadb-client)
if ! command -v python3 >/dev/null; then
    need_apt+=(python3 python3-venv python3-dev)
else
    python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
    python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
        || need_apt+=(python3-dev)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
# axe-core (from npm) checks every page's accessibility in the browser tests; cached outside
# the clone like the Keystone venv.
AXE_VERSION=4.14.1
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/setpass/axe-core-$AXE_VERSION"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
fi
export SETPASS_TEST_AXE="$AXE_DIR/node_modules/axe-core/axe.min.js"
# Debian keeps nginx in /usr/sbin, which a non-root PATH may lack.
command -v nginx >/dev/null || PATH="$PATH:/usr/sbin"

# N distinct free loopback ports: all bound at once, so none is handed out twice.
free_ports() {
    python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

scripts/keystone.sh install
read -r PLAIN_PORT PLAIN_NO_KEEPALIVE_PORT FIRST_USE_PORT FIRST_USE_NO_KEEPALIVE_PORT \
    TLS_PORT MTLS_PORT PREFIX_PORT NO_TOTP_PORT NO_TOTP_NO_KEEPALIVE_PORT \
    MARIADB_FREE_PORT <<<"$(free_ports 10)"
# Set once the private MariaDB is chosen, and its starting job: cleanup stops it.
MARIADB_PRIVATE_PORT=""
mariadb_start=""
cleanup() {
    scripts/keystone.sh stop-front test-plain || true
    scripts/keystone.sh stop test-plain || true
    scripts/keystone.sh stop test-first-use || true
    scripts/keystone.sh stop test-no-totp || true
    # A start still under way (a Keystone failed first) would leave its server behind.
    [ -z "$mariadb_start" ] || wait "$mariadb_start" 2>/dev/null || true
    [ -z "$MARIADB_PRIVATE_PORT" ] || scripts/mariadb.sh stop "$MARIADB_PRIVATE_PORT" || true
}
trap cleanup EXIT

# Which MariaDB (see the top). SETPASS_TEST_MARIADB_PROBE_PORT moves the probe off 3306: a
# closed port there tries the private path on a machine that has a local server.
MARIADB_LOCAL_PORT="${SETPASS_TEST_MARIADB_PROBE_PORT:-3306}"
if [ -n "${SETPASS_TEST_MARIADB_URL:-}" ]; then
    export SETPASS_TEST_MARIADB_SOURCE=env
elif scripts/mariadb.sh probe "$MARIADB_LOCAL_PORT"; then
    export SETPASS_TEST_MARIADB_URL="mysql://root@127.0.0.1:$MARIADB_LOCAL_PORT/"
    export SETPASS_TEST_MARIADB_SOURCE=local
else
    MARIADB_PRIVATE_PORT=$MARIADB_FREE_PORT
    export SETPASS_TEST_MARIADB_URL="mysql://root@127.0.0.1:$MARIADB_PRIVATE_PORT/"
    export SETPASS_TEST_MARIADB_SOURCE=private
fi

# All at once: each takes ~15 s, mostly db_sync.
scripts/keystone.sh start test-plain "$PLAIN_PORT" \
    --no-keepalive-port "$PLAIN_NO_KEEPALIVE_PORT" > target/keystone-plain.out 2>&1 &
plain=$!
scripts/keystone.sh start test-first-use "$FIRST_USE_PORT" --first-use \
    --no-keepalive-port "$FIRST_USE_NO_KEEPALIVE_PORT" > target/keystone-first-use.out 2>&1 &
first_use=$!
# A third, smaller part: a Keystone without the totp auth method, and with Keystone's lockout
# after 3 failed logins (the self-enrollment test of a locked account).
scripts/keystone.sh start test-no-totp "$NO_TOTP_PORT" --no-totp --lockout 3 \
    --no-keepalive-port "$NO_TOTP_NO_KEEPALIVE_PORT" > target/keystone-no-totp.out 2>&1 &
no_totp=$!
# The private MariaDB (a few seconds; apt first on a fresh machine) alongside.
if [ -n "$MARIADB_PRIVATE_PORT" ]; then
    scripts/mariadb.sh start "$MARIADB_PRIVATE_PORT" > target/mariadb.out 2>&1 &
    mariadb_start=$!
fi
wait $plain || { cat target/keystone-plain.out; exit 1; }
wait $first_use || { cat target/keystone-first-use.out; exit 1; }
wait $no_totp || { cat target/keystone-no-totp.out; exit 1; }
[ -z "$mariadb_start" ] || wait "$mariadb_start" || { cat target/mariadb.out; exit 1; }
scripts/keystone.sh front test-plain "$TLS_PORT" "$MTLS_PORT" "$PREFIX_PORT" \
    > target/keystone-front.out 2>&1 || { cat target/keystone-front.out; exit 1; }
FRONT="$(scripts/keystone.sh dir test-plain)/front"

export SETPASS_TEST_KEYSTONE_URL="http://127.0.0.1:$PLAIN_PORT/v3"
export SETPASS_TEST_KEYSTONE_FIRST_USE_URL="http://127.0.0.1:$FIRST_USE_PORT/v3"
# `totp` missing from its [auth] methods.
export SETPASS_TEST_KEYSTONE_NO_TOTP_URL="http://127.0.0.1:$NO_TOTP_PORT/v3"
# The same two Keystones through uwsgi's --http-socket: no keep-alive, the socket closes
# after each answer without a `Connection: close`.
export SETPASS_TEST_KEYSTONE_NO_KEEPALIVE_URL="http://127.0.0.1:$PLAIN_NO_KEEPALIVE_PORT/v3"
export SETPASS_TEST_KEYSTONE_FIRST_USE_NO_KEEPALIVE_URL="http://127.0.0.1:$FIRST_USE_NO_KEEPALIVE_PORT/v3"
# The plain Keystone behind nginx: TLS with our own CA; TLS that wants a client certificate;
# devstack's /identity prefix (no keep-alive on either side of nginx).
export SETPASS_TEST_KEYSTONE_TLS_URL="https://127.0.0.1:$TLS_PORT/v3"
export SETPASS_TEST_KEYSTONE_CA="$FRONT/ca.pem"
export SETPASS_TEST_KEYSTONE_MTLS_URL="https://127.0.0.1:$MTLS_PORT/v3"
export SETPASS_TEST_KEYSTONE_CLIENT_CERT="$FRONT/client.pem"
export SETPASS_TEST_KEYSTONE_CLIENT_KEY="$FRONT/client-key.pem"
export SETPASS_TEST_KEYSTONE_PREFIX_URL="http://127.0.0.1:$PREFIX_PORT/identity/v3"
# The venv's python has aiosmtpd: the email tests start scripts/smtp_sink.py with it.
export SETPASS_TEST_PYTHON="$(scripts/keystone.sh python)"
# The OpenStack client: the command-line access tests run it on the clouds.yaml setpass made.
export SETPASS_TEST_OPENSTACK="$(scripts/keystone.sh openstack)"
# One line on which MariaDB the tests use (a password in a given URL is not shown).
echo "harness: MariaDB for the tests: $(sed -E 's#^([a-z]+://[^:/@]*):[^@]*@#\1:***@#' \
    <<<"$SETPASS_TEST_MARIADB_URL") ($SETPASS_TEST_MARIADB_SOURCE)" >&2
