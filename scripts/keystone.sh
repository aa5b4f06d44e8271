#!/usr/bin/env bash
# Installs (once, cached) and runs a real OpenStack Keystone on loopback ports for the
# integration tests and the demo. SQLite backend, fernet tokens, one uwsgi worker.
#
#   scripts/keystone.sh install              # venv only (cached under ~/.cache)
#   scripts/keystone.sh python               # prints the venv's python (it has aiosmtpd,
#                                            # the tests' SMTP server, scripts/smtp_sink.py)
#   scripts/keystone.sh openstack            # prints the OpenStack client's path (own venv)
#   scripts/keystone.sh start NAME PORT [--first-use] [--no-totp] [--lockout N] [--no-keepalive-port P]
#                              [--database SQLALCHEMY_URL --processes N]
#                                            # state in $KEYSTONE_STATE/NAME, waits for GET /v3
#                                            # on both ports
#   scripts/keystone.sh front NAME TLS_PORT MTLS_PORT PREFIX_PORT
#                                            # private nginx in front of Keystone NAME (below)
#   scripts/keystone.sh stop-front NAME      # stops that nginx only
#   scripts/keystone.sh stop NAME            # stops the front (if any) and Keystone NAME
#   scripts/keystone.sh dir NAME             # prints NAME's state directory
#
# One Keystone answers in two shapes, as real clouds serve it in different ways:
#   http://127.0.0.1:PORT/v3  uwsgi's HTTP router with keep-alive (--http --http-keepalive)
#   http://127.0.0.1:P/v3     uwsgi's --http-socket: answers HTTP/1.1 without
#                             `Connection: close`, then closes the connection (no keep-alive).
#                             P is --no-keepalive-port, or a free port chosen here; either way
#                             it is written to $KEYSTONE_STATE/NAME/no-keepalive.port.
# Both ports reach the same workers and the same database.
#
# --no-totp leaves `totp` out of [auth] methods (an operator's mistake setpass must detect).
# --lockout N locks a user for 10 minutes after N failed logins in a row ([security_compliance]).
# --database puts Keystone's tables in MariaDB (mysql+pymysql://root@127.0.0.1:3306/DB, the
# database created beforehand), as clouds run it, and only then may --processes run more than
# one uwsgi worker (on the SQLite file, parallel writes fail with "database is locked").
# --first-use turns on [security_compliance] change_password_upon_first_use, so every
# user an admin creates starts with an expired password (how many clouds run).
# The bootstrap admin is admin / $KEYSTONE_ADMIN_PASSWORD in project admin, domain default.
#
# `front` runs a private nginx (needs nginx, openssl, curl; its config, pid file, logs,
# temp dirs and a throwaway CA all live in $KEYSTONE_STATE/NAME/front, never /etc/nginx):
#   https://127.0.0.1:TLS_PORT/v3          TLS terminator -> the keep-alive port
#   https://127.0.0.1:MTLS_PORT/v3         same, but requires a client certificate
#   http://127.0.0.1:PREFIX_PORT/identity/v3
#                                          devstack's path layout -> the no-keepalive port,
#                                          and nginx keeps no client connection either
# Files in $KEYSTONE_STATE/NAME/front: ca.pem (the CA that signed the server and the client
# certificate), client.pem and client-key.pem (PKCS#8), plus nginx.conf, error.log, access.log.
# Keystone parses the X-Forwarded-* headers nginx sends, so the links it answers with
# (GET /v3) name the front's scheme, host and /identity prefix.
set -euo pipefail

KEYSTONE_VERSION="${KEYSTONE_VERSION:-30.0.0}"
UWSGI_VERSION="${UWSGI_VERSION:-2.0.31}"
AIOSMTPD_VERSION="${AIOSMTPD_VERSION:-1.4.6}"
PYMYSQL_VERSION="${PYMYSQL_VERSION:-1.1.1}"
OSC_VERSION="${OSC_VERSION:-10.5.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/setpass"
VENV="${KEYSTONE_VENV:-$CACHE/keystone-$KEYSTONE_VERSION-venv}"
# The OpenStack client in a venv of its own (its libraries need not match Keystone's).
OSC_VENV="$CACHE/openstackclient-$OSC_VERSION-venv"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE_ROOT="${KEYSTONE_STATE:-$ROOT/target/keystone}"
ADMIN_PASSWORD="${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"
PASSWORD_REGEX='^(?=.*[0-9]).{8,}$'
PASSWORD_REGEX_DESCRIPTION='Passwords must contain at least one digit and be at least 8 characters long'

log() { echo "keystone.sh: $*" >&2; }

# Two test runs at once (worktrees, parallel CI jobs) install one at a time: the second finds
# the first's venvs complete instead of removing them half-built. The lock is held in a subshell,
# so no server started later inherits it.
install() {
    mkdir -p "$CACHE"
    (
        flock 9
        install_unlocked
    ) 9>"$CACHE/.install.lock"
}

install_unlocked() {
    install_osc
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

# Keystone's MariaDB driver (--database); added after the venv, so an existing venv gets it too.
install_pymysql() {
    if [ -f "$VENV/.pymysql-$PYMYSQL_VERSION" ]; then
        return
    fi
    log "installing PyMySQL $PYMYSQL_VERSION into $VENV"
    "$VENV/bin/pip" install --quiet "PyMySQL==$PYMYSQL_VERSION"
    touch "$VENV/.pymysql-$PYMYSQL_VERSION"
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

# The real OpenStack client, for the tests of the clouds.yaml setpass hands out.
install_osc() {
    if [ -x "$OSC_VENV/bin/openstack" ] && [ -f "$OSC_VENV/.complete" ]; then
        return
    fi
    log "installing python-openstackclient $OSC_VERSION into $OSC_VENV (about a minute)"
    rm -rf "$OSC_VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$OSC_VENV"
    "$OSC_VENV/bin/pip" install --quiet "python-openstackclient==$OSC_VERSION"
    touch "$OSC_VENV/.complete"
}

write_conf() {
    local dir="$1" first_use="$2" methods="${3:-password,token,totp,application_credential}" lockout="${4:-0}"
    local connection="${5:-sqlite:///$dir/keystone.db}"
    cat >"$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/keystone.log
debug = false

[database]
connection = $connection

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
methods = $methods

[oslo_middleware]
# Behind the front (nginx) requests carry X-Forwarded-Proto/-Host/-Prefix; without a proxy
# they are absent and this changes nothing.
enable_proxy_headers_parsing = true

[identity]
# Fast hashing: these are throwaway test users.
password_hash_algorithm = bcrypt
password_hash_rounds = 4

[security_compliance]
change_password_upon_first_use = $first_use
password_regex = $PASSWORD_REGEX
password_regex_description = $PASSWORD_REGEX_DESCRIPTION
CONF
    if [ "$lockout" -gt 0 ]; then
        printf 'lockout_failure_attempts = %s\nlockout_duration = 600\n' "$lockout" >>"$dir/keystone.conf"
    fi
}

manage() {
    local dir="$1"; shift
    "$VENV/bin/keystone-manage" --config-file "$dir/keystone.conf" "$@"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits until every URL answers GET with a 2xx (extra curl arguments first, then "--", then
# the URLs); prints the last failure and returns 1 after about 60 s.
wait_for() {
    local args=() url err=""
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    for url in "$@"; do
        for _ in $(seq 1 120); do
            if err=$(curl -fsS -o /dev/null ${args[@]+"${args[@]}"} "$url" 2>&1); then
                err=""
                break
            fi
            sleep 0.5
        done
        if [ -n "$err" ]; then
            log "$url: $err"
            return 1
        fi
    done
}

start() {
    local name="${1:?usage: start NAME PORT [--first-use] [--no-totp] [--no-keepalive-port P]}"
    local port="${2:?usage: start NAME PORT [--first-use] [--no-totp] [--no-keepalive-port P]}"
    shift 2
    local first_use=false no_keepalive_port="" methods="password,token,totp,application_credential" lockout=0
    local database="" processes=1
    while [ $# -gt 0 ]; do
        case "$1" in
            --first-use) first_use=true; shift ;;
            --lockout) lockout="${2:?--lockout needs a number of failed logins}"; shift 2 ;;
            --no-totp) methods="password,token,application_credential"; shift ;;
            --no-keepalive-port) no_keepalive_port="${2:?--no-keepalive-port needs a port}"; shift 2 ;;
            --database) database="${2:?--database needs an SQLAlchemy URL}"; shift 2 ;;
            --processes) processes="${2:?--processes needs a number}"; shift 2 ;;
            *) log "start: unknown argument $1"; exit 2 ;;
        esac
    done
    [ -n "$no_keepalive_port" ] || no_keepalive_port=$(free_port)
    if [ "$processes" != 1 ] && [ -z "$database" ]; then
        log "start: --processes $processes needs --database (SQLite takes one writer)"; exit 2
    fi
    install
    [ -z "$database" ] || install_pymysql
    local dir="$STATE_ROOT/$name"
    stop "$name" 2>/dev/null || true
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "$port" >"$dir/keepalive.port"
    echo "$no_keepalive_port" >"$dir/no-keepalive.port"
    # Bootstrap before enabling first-use expiry, or the admin's own password starts expired.
    write_conf "$dir" false "password,token,totp,application_credential" 0 "$database"
    local who=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
    manage "$dir" db_sync
    manage "$dir" fernet_setup "${who[@]}"
    manage "$dir" receipt_setup "${who[@]}"
    manage "$dir" credential_setup "${who[@]}"
    manage "$dir" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-admin-url "http://127.0.0.1:$port/v3" \
        --bootstrap-public-url "http://127.0.0.1:$port/v3" \
        --bootstrap-region-id RegionOne
    write_conf "$dir" "$first_use" "$methods" "$lockout" "$database"
    # The HTTP router (--http) forwards to the workers over the uwsgi protocol on a unix socket
    # named explicitly with --http-to: left to itself the router would pick the first socket,
    # which may be the --http-socket one (plain HTTP), and speak the wrong protocol to it.
    # One worker process on SQLite: with two, parallel writes to the one file fail at once with
    # "database is locked" (Keystone answers 500). On MariaDB (--database), --processes N.
    OS_KEYSTONE_CONFIG_FILES="$dir/keystone.conf" \
        nohup "$VENV/bin/uwsgi" \
        --socket "$dir/uwsgi.sock" \
        --http "127.0.0.1:$port" --http-keepalive --http-to "$dir/uwsgi.sock" \
        --http-socket "127.0.0.1:$no_keepalive_port" \
        --module keystone.wsgi.api:application --master --processes "$processes" --threads 1 \
        --die-on-term --pidfile "$dir/uwsgi.pid" --logto "$dir/uwsgi.log" \
        --env "OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf" >/dev/null 2>&1 &
    if wait_for -- "http://127.0.0.1:$port/v3" "http://127.0.0.1:$no_keepalive_port/v3"; then
        log "$name ready on http://127.0.0.1:$port/v3 (keep-alive) and" \
            "http://127.0.0.1:$no_keepalive_port/v3 (no keep-alive), first-use expiry: $first_use"
        return
    fi
    log "$name did not answer on ports $port and $no_keepalive_port; last log lines:"
    tail -n 30 "$dir/uwsgi.log" "$dir/keystone.log" >&2 || true
    exit 1
}

# A throwaway CA, and a server (127.0.0.1, localhost) and a client certificate signed by it.
# Our own openssl config, so nothing depends on the system's openssl.cnf defaults.
make_certs() {
    local d="$1"
    cat >"$d/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = setpass test
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
    # openssl chatters on stderr even when all is well: keep that in a log, show it on failure.
    run_openssl() { openssl "$@" 2>>"$d/openssl.log" || { cat "$d/openssl.log" >&2; return 1; }; }
    local key
    # RSA 2048, PKCS#8 PEM: what nginx, curl and rustls all read.
    for key in ca server client; do
        run_openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$key-key.pem"
    done
    run_openssl req -x509 -new -config "$d/openssl.cnf" -extensions ca_ext -key "$d/ca-key.pem" \
        -subj "/CN=setpass test CA" -days 30 -sha256 -out "$d/ca.pem"
    local what
    for what in server client; do
        local cn="localhost"
        [ "$what" = client ] && cn="setpass test client"
        run_openssl req -new -config "$d/openssl.cnf" -key "$d/$what-key.pem" -subj "/CN=$cn" \
            -out "$d/$what.csr"
        run_openssl x509 -req -in "$d/$what.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
            -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 \
            -extfile "$d/openssl.cnf" -extensions "${what}_ext" -out "$d/$what.pem"
    done
}

front() {
    local usage="usage: front NAME TLS_PORT MTLS_PORT PREFIX_PORT"
    local name="${1:?$usage}" tls_port="${2:?$usage}" mtls_port="${3:?$usage}" prefix_port="${4:?$usage}"
    local dir="$STATE_ROOT/$name"
    local tool
    for tool in nginx openssl curl; do
        command -v "$tool" >/dev/null || { log "front needs $tool (scripts/test.sh installs it)"; exit 1; }
    done
    if [ ! -f "$dir/keepalive.port" ] || [ ! -f "$dir/no-keepalive.port" ]; then
        log "front: start Keystone $name first (no $dir/keepalive.port)"
        exit 1
    fi
    local keepalive_port no_keepalive_port
    keepalive_port=$(cat "$dir/keepalive.port")
    no_keepalive_port=$(cat "$dir/no-keepalive.port")
    local d="$dir/front"
    stop_front "$name"
    rm -rf "$d"
    mkdir -p "$d/tmp"
    make_certs "$d"

    # Run as root (e.g. in CI), nginx's workers would drop to `nobody`, who may not be able to
    # reach temp files under this state dir (say under /root): keep them as the caller.
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    # proxy_set_header lines are not inherited into a block that sets any of its own, so
    # each location gets the whole set. Host names the front, as a client used it.
    # shellcheck disable=SC2016 # nginx variables, for nginx to expand
    local headers='
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-Host $host:$server_port;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'
    cat >"$d/nginx.conf" <<CONF
# Private nginx for the setpass tests; started by scripts/keystone.sh front $name.
$user_line
worker_processes 1;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/tmp/client_body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    # Keystone's own error answers (401 with a JSON body, 204 without one) pass unchanged.
    proxy_intercept_errors off;
    ssl_certificate $d/server.pem;
    ssl_certificate_key $d/server-key.pem;

    # TLS terminator in front of the keep-alive port.
    server {
        listen 127.0.0.1:$tls_port ssl;
        location / {$headers
            proxy_pass http://127.0.0.1:$keepalive_port;
        }
    }

    # Same, but only for clients with a certificate from our CA (nginx answers 400 without).
    server {
        listen 127.0.0.1:$mtls_port ssl;
        ssl_client_certificate $d/ca.pem;
        ssl_verify_client on;
        location / {$headers
            proxy_pass http://127.0.0.1:$keepalive_port;
        }
    }

    # devstack's layout, /identity/v3, onto the no-keepalive port; nginx closes every client
    # connection after one answer too.
    server {
        listen 127.0.0.1:$prefix_port;
        keepalive_timeout 0;
        location /identity/ {$headers
            proxy_set_header X-Forwarded-Prefix /identity;
            proxy_pass http://127.0.0.1:$no_keepalive_port/;
        }
    }
}
CONF
    # -e: nginx opens its error log before reading the config; keep that one here too.
    nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g "daemon on; pid $d/nginx.pid;"
    local ok=true
    wait_for --cacert "$d/ca.pem" -- "https://127.0.0.1:$tls_port/v3" || ok=false
    wait_for --cacert "$d/ca.pem" --cert "$d/client.pem" --key "$d/client-key.pem" \
        -- "https://127.0.0.1:$mtls_port/v3" || ok=false
    wait_for -- "http://127.0.0.1:$prefix_port/identity/v3" || ok=false
    # Without a client certificate the mTLS port must refuse.
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$d/ca.pem" "https://127.0.0.1:$mtls_port/v3" 2>/dev/null || true)
    if [ "$code" = 200 ]; then
        log "front: https://127.0.0.1:$mtls_port/v3 answered 200 without a client certificate"
        ok=false
    fi
    if [ "$ok" = false ]; then
        tail -n 30 "$d/error.log" >&2 || true
        stop_front "$name"
        exit 1
    fi
    log "$name front ready: https://127.0.0.1:$tls_port/v3 (TLS)," \
        "https://127.0.0.1:$mtls_port/v3 (client certificate)," \
        "http://127.0.0.1:$prefix_port/identity/v3 (prefix, no keep-alive); CA $d/ca.pem"
}

# TERM the process in a pid file and wait (up to 5 s) until it is gone, so its ports are free.
kill_pidfile() {
    local pidfile="$1" pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    # After the process is gone: nginx removes its own pid file and complains if it cannot.
    rm -f "$pidfile"
}

stop_front() {
    kill_pidfile "$STATE_ROOT/$1/front/nginx.pid"
}

stop() {
    stop_front "$1"
    kill_pidfile "$STATE_ROOT/$1/uwsgi.pid"
}

case "${1:-}" in
    install) install ;;
    python) echo "$VENV/bin/python" ;;
    openstack) echo "$OSC_VENV/bin/openstack" ;;
    start) shift; start "$@" ;;
    front) shift; front "$@" ;;
    stop-front) shift; stop_front "${1:?usage: stop-front NAME}" ;;
    stop) shift; stop "${1:?usage: stop NAME}" ;;
    dir) shift; echo "$STATE_ROOT/${1:?usage: dir NAME}" ;;
    *)
        echo "usage: $0 install | python | start NAME PORT [--first-use] [--no-totp] [--no-keepalive-port P]" \
            "| front NAME TLS_PORT MTLS_PORT PREFIX_PORT | stop-front NAME | stop NAME | dir NAME" >&2
        exit 2
        ;;
esac
