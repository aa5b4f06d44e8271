#!/usr/bin/env bash
# Runs every test: starts two real Keystones on free loopback ports (first-use password
# expiry off and on), runs `cargo test`, and stops them again.
#   scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The browser test drives Debian's Chromium through its WebDriver; no browser download.
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

scripts/keystone.sh install
PLAIN_PORT=$(free_port)
FIRST_USE_PORT=$(free_port)
cleanup() { scripts/keystone.sh stop test-plain; scripts/keystone.sh stop test-first-use; }
trap cleanup EXIT

# Both at once: each takes ~15 s, mostly db_sync.
scripts/keystone.sh start test-plain "$PLAIN_PORT" > target/keystone-plain.out 2>&1 &
plain=$!
scripts/keystone.sh start test-first-use "$FIRST_USE_PORT" --first-use > target/keystone-first-use.out 2>&1 &
first_use=$!
wait $plain || { cat target/keystone-plain.out; exit 1; }
wait $first_use || { cat target/keystone-first-use.out; exit 1; }

export SETPASS_TEST_KEYSTONE_URL="http://127.0.0.1:$PLAIN_PORT/v3"
export SETPASS_TEST_KEYSTONE_FIRST_USE_URL="http://127.0.0.1:$FIRST_USE_PORT/v3"
# The venv's python has aiosmtpd: the email tests start scripts/smtp_sink.py with it.
export SETPASS_TEST_PYTHON="$(scripts/keystone.sh python)"
cargo test --all-targets "$@"
