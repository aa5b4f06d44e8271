#!/usr/bin/env bash
# Onboardings against every Keystone serving shape the test harness starts, from outside: the
# setpass binary, COUNT new users each, one after the other. Prints finished/attempted and
# Keystone calls per onboarding (from setpass's metrics). Not a test: a measurement for notes.
#   scripts/shapes.sh [COUNT]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/harness.sh
cargo build --quiet --bin setpass
python3 scripts/shapes.py target/debug/setpass "${1:-10}"
