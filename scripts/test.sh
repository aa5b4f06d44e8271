#!/usr/bin/env bash
# Runs every test against real Keystones and MariaDB (scripts/harness.sh starts and stops them).
#   scripts/test.sh [extra cargo test args]
#
# Works as the first command in a fresh clone on a fresh Debian/Ubuntu machine (besides
# Rust): whatever tool is missing comes from apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/harness.sh
cargo test --all-targets "$@"
# The integration suite again on the shared-database backend (MariaDB): every test that stores
# anything runs on both. The browser tests check pages, the replica tests always use MariaDB:
# once is enough for those. With arguments (a filter), only the SQLite pass runs.
if [ $# -eq 0 ]; then
    SETPASS_TEST_BACKEND=mariadb cargo test --test api -- --skip browser:: --skip replicas::
fi
# The full run also tests on a three-node Galera cluster with HAProxy (scripts/galera.sh),
# started now in the background, while schemathesis runs (not beside the passes above, which
# need both cores).
GALERA_BASE=""
if [ $# -eq 0 ]; then
    scripts/galera.sh install
    GALERA_BASE=$(scripts/galera.sh free-base)
    scripts/galera.sh start "$GALERA_BASE" >target/galera.urls 2>target/galera.log &
    galera_start=$!
    trap 'cleanup; wait "$galera_start" 2>/dev/null || true; scripts/galera.sh stop "$GALERA_BASE" || true' EXIT
fi
# The OpenAPI document against the live service (its own Keystone): no 5xx, no answer the
# schema does not allow. Only in the full run.
if [ $# -eq 0 ]; then
    scripts/schemathesis.sh
fi
# On Galera: the replica tests with their two replicas on two different nodes, then the
# cluster's faults (simultaneous starts, a node cut off, a node killed, HAProxy's active node
# killed under load), one at a time since they change the cluster.
if [ $# -eq 0 ]; then
    if ! wait "$galera_start"; then
        echo "test.sh: the Galera cluster did not start:" >&2
        cat target/galera.log >&2
        exit 1
    fi
    node1="mysql://root@127.0.0.1:$((GALERA_BASE + 1))/"
    node2="mysql://root@127.0.0.1:$((GALERA_BASE + 2))/"
    SETPASS_TEST_MARIADB_URL="$node1" SETPASS_TEST_GALERA_NODES="$node1,$node2" \
        cargo test --test api -- replicas::
    # --nocapture: the log keeps the figures they print (starts that came up, the failover's
    # 503s and longest wait, how soon a lost node's replica answered 503).
    SETPASS_TEST_GALERA_BASE="$GALERA_BASE" cargo test --test api -- --ignored galera:: --test-threads=1 --nocapture
fi
