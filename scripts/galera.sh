#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback for the tests of setpass on Galera, from
# Debian's mariadb-server-core, galera-4 and mariadb-backup (the joiners' state transfer), with
# HAProxy in front of it as kolla-ansible deploys it (one active node, two backups).
# Private data directories in target/galera-BASE/, its own ports, no system service.
#
#   scripts/galera.sh install            # the packages (apt, once)
#   scripts/galera.sh free-base          # prints a BASE whose 34 ports are all free
#   scripts/galera.sh start BASE         # nodes 1..3 on 127.0.0.1:BASE+1..BASE+3 (node 1
#                                        # bootstraps, 2 and 3 join by mariabackup SST), and
#                                        # HAProxy on 127.0.0.1:BASE; waits until all three
#                                        # are Synced; prints the four URLs, HAProxy's first
#   scripts/galera.sh stop BASE          # stops everything and removes the state
#   scripts/galera.sh kill BASE N        # SIGKILL node N (a node that is gone)
#   scripts/galera.sh rejoin BASE N      # starts a killed node N again (a live one is left
#                                        # alone); waits until it is Synced
#   scripts/galera.sh isolate BASE N     # cuts node N off the group: it turns non-Primary
#   scripts/galera.sh heal BASE N        # lets it back; waits until it is Synced again
#   scripts/galera.sh wait BASE N STATE  # waits until node N reports STATE: Synced | non-Primary
#
# Ports: node N serves clients on BASE+N, group traffic on BASE+10+N, IST on BASE+20+N and
# SST on BASE+30+N; HAProxy listens on BASE. root has no password over TCP (throwaway data).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PATH="$PATH:/usr/sbin"
log() { echo "galera.sh: $*" >&2; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

install() {
    local need=()
    command -v mariadb >/dev/null || need+=(mariadb-client)
    { command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null; } \
        || need+=(mariadb-server-core)
    [ -f /usr/lib/galera/libgalera_smm.so ] || need+=(galera-4)
    # Without mariadb-backup the joiners' state transfer fails (wsrep_sst_mariabackup needs it).
    command -v mariabackup >/dev/null || need+=(mariadb-backup)
    command -v socat >/dev/null || need+=(socat)
    command -v haproxy >/dev/null || need+=(haproxy)
    [ ${#need[@]} -gt 0 ] || return 0
    log "installing ${need[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
}

state() { echo "${GALERA_STATE:-$ROOT/target/galera}-${1:?BASE}"; }

sql() {
    local port="$1"; shift
    timeout 20 mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -uroot \
        --connect-timeout=3 --batch --skip-column-names "$@"
}

# BASE N: the node's wsrep state in one word: Synced, non-Primary, down or another state.
node_state() {
    local base="$1" n="$2" out
    out=$(sql $((base + n)) -e "SELECT
        (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'wsrep_cluster_status'),
        (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'wsrep_local_state_comment')" \
        2>/dev/null) || { echo down; return; }
    # shellcheck disable=SC2086
    set -- $out
    if [ "${1:-}" != Primary ]; then echo non-Primary; else echo "${2:-unknown}"; fi
}

wait_state() {
    local base="$1" n="$2" want="$3" limit="${4:-60}" got=""
    local deadline=$((SECONDS + limit)) dir
    dir="$(state "$base")/node$n"
    while [ "$SECONDS" -lt "$deadline" ]; do
        got=$(node_state "$base" "$n")
        [ "$got" != "$want" ] || return 0
        sleep 0.3
    done
    log "node $n is '$got', not '$want', after ${limit} s; last lines of its log:"
    tail -n 40 "$dir/error.log" >&2 2>/dev/null || true
    return 1
}

# BASE N [--wsrep-new-cluster]
start_node() {
    local base="$1" n="$2"; shift 2
    local dir data sock user=""
    dir="$(state "$base")/node$n"
    data="$dir/data"
    mkdir -p "$dir/tmp" "$data"
    sock="$dir/mysqld.sock"
    if [ ${#sock} -gt 100 ]; then
        sock="$(mktemp -d /tmp/setpass-galera.XXXXXX)/mysqld.sock"
        dirname "$sock" >"$dir/socket.dir"
    fi
    [ "$(id -u)" -ne 0 ] || user="user = root"
    local peers="127.0.0.1:$((base + 11)),127.0.0.1:$((base + 12)),127.0.0.1:$((base + 13))"
    # A defaults file rather than --no-defaults: the SST script (wsrep_sst_mariabackup) reads
    # the donor's and joiner's settings from it.
    cat >"$dir/my.cnf" <<EOF
[mysqld]
$user
datadir = $data
tmpdir = $dir/tmp
socket = $sock
pid-file = $dir/mariadbd.pid
log-error = $dir/error.log
port = $((base + n))
bind-address = 127.0.0.1
skip-name-resolve
max-connections = 500
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
innodb-log-file-size = 16M
innodb-buffer-pool-size = 64M
innodb-flush-log-at-trx-commit = 2
binlog-format = ROW
default-storage-engine = InnoDB
innodb-autoinc-lock-mode = 2
wsrep-on = ON
wsrep-provider = /usr/lib/galera/libgalera_smm.so
wsrep-cluster-name = setpass-$base
wsrep-cluster-address = gcomm://$peers
wsrep-node-name = node$n
wsrep-node-address = 127.0.0.1:$((base + 10 + n))
wsrep-node-incoming-address = 127.0.0.1:$((base + n))
wsrep-provider-options = "gmcast.listen_addr=tcp://127.0.0.1:$((base + 10 + n));ist.recv_addr=127.0.0.1:$((base + 20 + n));gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
wsrep-sst-method = mariabackup
wsrep-sst-receive-address = 127.0.0.1:$((base + 30 + n))
wsrep-sst-auth = root:
[client]
socket = $sock
[sst]
sockopt = ",reuseaddr"
EOF
    if [ "$n" = 1 ] && [ ! -d "$data/mysql" ]; then
        if ! mariadb-install-db --defaults-file="$dir/my.cnf" --auth-root-authentication-method=normal \
            --skip-test-db >"$dir/install-db.log" 2>&1; then
            log "mariadb-install-db failed; last lines of $dir/install-db.log:"
            tail -n 30 "$dir/install-db.log" >&2 || true
            return 1
        fi
    fi
    nohup mariadbd --defaults-file="$dir/my.cnf" "$@" >"$dir/mariadbd.out" 2>&1 &
    echo $! >"$dir/pid"
}

# BASE N: whether node N's mariadbd is running (a rejoin of a live node starts nothing).
node_alive() {
    local pid_file
    pid_file="$(state "$1")/node$2/pid"
    [ -f "$pid_file" ] && [ "$(cat "/proc/$(cat "$pid_file")/comm" 2>/dev/null)" = mariadbd ]
}

kill_node() {
    local base="$1" n="$2" dir pid
    dir="$(state "$base")/node$n"
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ]; then
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$dir/pid"
}

start_haproxy() {
    local base="$1" dir
    dir="$(state "$base")"
    # kolla-ansible's shape: one active node and two backups, a MySQL-protocol health check,
    # a node marked down after 2 failed checks; open sessions on a dead server are cut.
    cat >"$dir/haproxy.cfg" <<EOF
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout check 1s
listen mariadb
    bind 127.0.0.1:$base
    option mysql-check user haproxy post-41
    default-server inter 500 rise 2 fall 2 on-marked-down shutdown-sessions
    server node1 127.0.0.1:$((base + 1)) check
    server node2 127.0.0.1:$((base + 2)) check backup
    server node3 127.0.0.1:$((base + 3)) check backup
EOF
    nohup haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
    echo $! >"$dir/haproxy.pid"
}

start() {
    local base="${1:?usage: start BASE}" dir
    install
    stop "$base"
    dir="$(state "$base")"
    mkdir -p "$dir"
    start_node "$base" 1 --wsrep-new-cluster
    wait_state "$base" 1 Synced 60 || { stop "$base"; exit 1; }
    # HAProxy's health check logs in as this user (no password, no privileges).
    sql $((base + 1)) -e "CREATE USER IF NOT EXISTS 'haproxy'@'127.0.0.1'"
    # One joiner at a time: node 1 donates to each in turn.
    for n in 2 3; do
        start_node "$base" "$n"
        wait_state "$base" "$n" Synced 90 || { stop "$base"; exit 1; }
    done
    start_haproxy "$base"
    local deadline=$((SECONDS + 20))
    until sql "$base" -e 'SELECT 1' >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "HAProxy did not pass a connection within 20 s:"; tail -n 20 "$dir/haproxy.log" >&2
            stop "$base"; exit 1
        fi
        sleep 0.2
    done
    log "three-node Galera cluster ready: nodes on 127.0.0.1:$((base + 1))-$((base + 3)), HAProxy on 127.0.0.1:$base"
    echo "mysql://root@127.0.0.1:$base/"
    for n in 1 2 3; do echo "mysql://root@127.0.0.1:$((base + n))/"; done
}

stop() {
    local base="${1:?usage: stop BASE}" dir
    dir="$(state "$base")"
    [ -d "$dir" ] || return 0
    if [ -f "$dir/haproxy.pid" ]; then kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true; fi
    # Throwaway data: no clean shutdown needed.
    for n in 1 2 3; do
        kill_node "$base" "$n"
        [ ! -f "$dir/node$n/socket.dir" ] || rm -rf "$(cat "$dir/node$n/socket.dir")"
    done
    rm -rf "$dir"
}

provider_option() {
    sql $(($1 + $2)) -e "SET GLOBAL wsrep_provider_options = '$3'"
}

free_base() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 60000, 40)
    try:
        for port in range(base, base + 34):
            with socket.socket() as s:
                s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(base)
    break
else:
    raise SystemExit("galera.sh: no free range of 34 ports found")
PY
}

case "${1:-}" in
    install) install ;;
    free-base) free_base ;;
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    kill) shift; kill_node "$@" ;;
    rejoin) shift; node_alive "$1" "$2" || start_node "$1" "$2"; wait_state "$1" "$2" Synced 90 ;;
    isolate) shift; provider_option "$1" "$2" 'gmcast.isolate=1'; wait_state "$1" "$2" non-Primary 30 ;;
    heal) shift; provider_option "$1" "$2" 'gmcast.isolate=0'; wait_state "$1" "$2" Synced 60 ;;
    wait) shift; wait_state "$@" ;;
    state) shift; node_state "$@" ;;
    *)
        echo "usage: $0 install | start BASE | stop BASE | kill|rejoin|isolate|heal BASE N | wait BASE N STATE" >&2
        exit 2
        ;;
esac
