#!/usr/bin/env bash
# Prints the import graph of src/'s top-level modules and checks it: no cycle, every import
# pointing down the layers (tests/architecture.rs). Exit status 0 when both hold.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cargo test --quiet --test architecture -- --nocapture --test-threads 1 2>&1) || { echo "$out"; exit 1; }
echo "$out" | sed 's/^\.*//' | grep -v '^running\|^test result\|^$'
