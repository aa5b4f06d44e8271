#!/usr/bin/env bash
# A MariaDB for the tests of setpass's MariaDB backend: probes a server, or runs a private,
# throwaway one on a loopback port (its own data directory, no system service, no config
# from /etc/mysql). scripts/harness.sh decides which to use (SETPASS_TEST_MARIADB_URL).
#
#   scripts/mariadb.sh probe [PORT [HOST]]   # exit 0 if root without a password answers
#                                            # SELECT 1 over TCP (default 127.0.0.1:3306);
#                                            # gives up after a 3 s connect timeout
#   scripts/mariadb.sh install               # the client and the server binaries (apt, once)
#   scripts/mariadb.sh start PORT            # private server on 127.0.0.1:PORT, state in
#                                            # $MARIADB_STATE-PORT; waits (30 s at most)
#                                            # until root answers over TCP; prints its URL
#   scripts/mariadb.sh stop PORT             # stops it and removes its state directory
#   scripts/mariadb.sh dir PORT              # prints its state directory
#
# The private server's root has no password and may log in over TCP from 127.0.0.1 (host
# names are not resolved, as on Debian's own server): mysql://root@127.0.0.1:PORT/ is an
# admin URL, and each test creates and drops its own uniquely named databases with it.
# Throwaway data: flushing the log once a second rather than at each commit is fine.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE_PREFIX="${MARIADB_STATE:-$ROOT/target/mariadb}"
# Debian keeps mariadbd in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin"

log() { echo "mariadb.sh: $*" >&2; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The command-line client: `mariadb`, or `mysql` where only the old name exists.
client_bin() {
    if command -v mariadb >/dev/null; then echo mariadb
    elif command -v mysql >/dev/null; then echo mysql
    else return 1
    fi
}

# HOST PORT CLIENT-ARGS...: runs the client as root without a password over TCP, reading no
# option files (a ~/.my.cnf password would make a probe pass that the tests' URL then fails).
sql() {
    local host="$1" port="$2"; shift 2
    local bin
    bin=$(client_bin) || { log "no mariadb client (scripts/mariadb.sh install)"; return 1; }
    # The connect timeout covers a silent port; `timeout` a server that accepts, then stalls.
    timeout 20 "$bin" --no-defaults --protocol=TCP -h "$host" -P "$port" -uroot \
        --connect-timeout=3 --batch --skip-column-names "$@"
}

probe() {
    sql "${2:-127.0.0.1}" "${1:-3306}" -e 'SELECT 1' >/dev/null 2>&1
}

# Debian's mariadb-server-core holds mariadbd and mariadb-install-db without the init
# scripts and units of mariadb-server, so installing it starts no system MariaDB.
install() {
    local need=()
    client_bin >/dev/null || need+=(mariadb-client)
    { command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null; } \
        || need+=(mariadb-server-core)
    [ ${#need[@]} -gt 0 ] || return 0
    log "installing ${need[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
}

# TERM the server and wait (30 s at most: InnoDB shuts down cleanly), then KILL.
stop() {
    local port="${1:?usage: stop PORT}"
    local dir="$STATE_PREFIX-$port" pid
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        # A pid file left by a run that died may name a process that is not ours any more.
        if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] \
            && kill -TERM "$pid" 2>/dev/null; then
            for _ in $(seq 1 300); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                log "mariadbd $pid (port $port) ignored TERM for 30 s; killing it"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
    fi
    [ ! -f "$dir/socket.dir" ] || rm -rf "$(cat "$dir/socket.dir")"
    rm -rf "$dir"
}

start() {
    local port="${1:?usage: start PORT}"
    local dir="$STATE_PREFIX-$port"
    install
    stop "$port"
    mkdir -p "$dir/tmp"
    local data="$dir/data"
    # A unix socket path has room for about 107 bytes; a deep checkout gets one under /tmp.
    # mariadbd always listens on one, and without --socket it would take the system server's.
    local socket="$dir/mysqld.sock"
    if [ ${#socket} -gt 100 ]; then
        local sockdir
        sockdir=$(mktemp -d /tmp/setpass-mariadb.XXXXXX)
        echo "$sockdir" >"$dir/socket.dir"
        socket="$sockdir/mysqld.sock"
    fi
    # Run as root (CI, containers), mariadbd refuses to start without --user=root.
    local user=()
    [ "$(id -u)" -ne 0 ] || user=(--user=root)
    # Options for both the bootstrap (mariadb-install-db passes them on) and the server.
    # utf8mb4 as Debian's packaged server configures it; a small redo log (the default is
    # 96 MB per data directory).
    local opts=(
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
        --skip-name-resolve --innodb-log-file-size=16M --innodb-buffer-pool-size=64M
        --innodb-flush-log-at-trx-commit=2
    )
    # --auth-root-authentication-method=normal: root@localhost, root@127.0.0.1 and root@::1
    # with no password (the default, socket, lets in only the unix user root over the socket).
    # TCP logins without name lookups need root@127.0.0.1; the wait below logs in as it.
    if ! mariadb-install-db --no-defaults ${user[@]+"${user[@]}"} --datadir="$data" \
        --auth-root-authentication-method=normal --skip-test-db \
        "${opts[@]}" >"$dir/install-db.log" 2>&1; then
        log "mariadb-install-db failed; last lines of $dir/install-db.log:"
        tail -n 30 "$dir/install-db.log" >&2 || true
        stop "$port"
        exit 1
    fi
    nohup mariadbd --no-defaults ${user[@]+"${user[@]}"} --datadir="$data" --tmpdir="$dir/tmp" \
        --port="$port" --bind-address=127.0.0.1 --socket="$socket" \
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
        --max-connections=1000 "${opts[@]}" >"$dir/mariadbd.out" 2>&1 &
    local pid=$!
    # Our own pid file, written now: mariadbd writes its own only once it is up.
    echo "$pid" >"$dir/pid"
    # Ready when root answers over TCP, and it is this server (not another on the port).
    local want got="" deadline=$((SECONDS + 30))
    want="$(cd "$data" && pwd)/"
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "mariadbd exited while starting on port $port; last lines of $dir/error.log:"
            tail -n 30 "$dir/error.log" "$dir/mariadbd.out" >&2 || true
            stop "$port"
            exit 1
        fi
        if got=$(sql 127.0.0.1 "$port" -e 'SELECT @@datadir' 2>/dev/null) \
            && [ "$got" = "$want" ]; then
            log "private MariaDB ready on 127.0.0.1:$port (root, no password), data in $data"
            echo "mysql://root@127.0.0.1:$port/"
            return
        fi
        sleep 0.5
    done
    log "private MariaDB did not answer on 127.0.0.1:$port within 30 s" \
        "${got:+(a server with data directory $got did) }- last lines of its logs:"
    tail -n 30 "$dir/error.log" "$dir/mariadbd.out" >&2 || true
    stop "$port"
    exit 1
}

case "${1:-}" in
    probe) shift; probe "$@" ;;
    install) install ;;
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    dir) shift; echo "$STATE_PREFIX-${1:?usage: dir PORT}" ;;
    *)
        echo "usage: $0 probe [PORT [HOST]] | install | start PORT | stop PORT | dir PORT" >&2
        exit 2
        ;;
esac
