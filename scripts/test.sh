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
# The OpenAPI document against the live service (its own Keystone): no 5xx, no answer the
# schema does not allow. Only in the full run.
if [ $# -eq 0 ]; then
    scripts/schemathesis.sh
fi
