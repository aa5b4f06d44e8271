#!/usr/bin/env bash
# Runs every test against real Keystones (scripts/harness.sh starts and stops them).
#   scripts/test.sh [extra cargo test args]
#
# Works as the first command in a fresh clone on a fresh Debian/Ubuntu machine (besides
# Rust): whatever tool is missing comes from apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/harness.sh
cargo test --all-targets "$@"
