#!/usr/bin/env bash
# Reproducible benchmark on this machine: builds in release mode, runs setpass against a fast
# stand-in Keystone (and once against the real one), drives it with wrk, and prints one table.
#   scripts/bench.sh            # about 2 minutes once built
#   BENCH_PASSWORD_STEPS=21 scripts/bench.sh   # more password steps for the median (11)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet --bin setpass --example bare_page
scripts/keystone.sh install

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    scripts/keystone.sh stop bench 2>/dev/null || true
    scripts/keystone.sh stop bench-plain 2>/dev/null || true
    scripts/keystone.sh stop bench-invite 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
status_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }
reset_peak() { echo 5 > "/proc/$1/clear_refs"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb / 1024}'; }
rps() { awk '/Requests\/sec/ {printf "%d", $2}'; }

# Starts setpass on $1 (port) with database $2 and Keystone $3; prints ms until /healthz answers.
start_setpass() {
    local port=$1 db=$2 keystone=$3 log=$4
    python3 - "$port" "$db" "$keystone" "$log" "$ROOT/target/release/setpass" <<'PY'
import os, subprocess, sys, time, urllib.request
port, db, keystone, log, binary = sys.argv[1:]
env = dict(os.environ, SETPASS_SERVER__LISTEN=f"127.0.0.1:{port}", SETPASS_SERVER__PUBLIC_URL="http://127.0.0.1",
           SETPASS_DATABASE__PATH=db, SETPASS_KEYSTONE__AUTH_URL=keystone,
           SETPASS_LIMITS__USER_PER_MINUTE="1000000", SETPASS_LIMITS__USER_BURST="1000000",
           SETPASS_LIMITS__ADMIN_PER_MINUTE="1000000", SETPASS_LIMITS__ADMIN_BURST="1000000",
           RUST_LOG=os.environ.get("BENCH_RUST_LOG", "warn"))
started = time.monotonic()
process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
        break
    except Exception:
        if process.poll() is not None:
            sys.exit(f"setpass exited: see {log}")
        time.sleep(0.002)
print(process.pid, round((time.monotonic() - started) * 1000))
PY
}

STANDIN_PORT=$(free_port)
python3 scripts/bench/standin_keystone.py "$STANDIN_PORT" &
PIDS+=($!)
STANDIN="http://127.0.0.1:$STANDIN_PORT/v3"
sleep 0.5

# Ready time is measured on an existing database: start once to create it, then again.
PORT=$(free_port)
read -r PID _ < <(start_setpass "$PORT" "$WORK/bench.db" "$STANDIN" "$WORK/first.log")
kill "$PID"; wait "$PID" 2>/dev/null || true
read -r PID READY_MS < <(start_setpass "$PORT" "$WORK/bench.db" "$STANDIN" "$WORK/setpass.log")
PIDS+=("$PID")
BASE="http://127.0.0.1:$PORT"
sleep 1
IDLE_KB=$(status_kb "$PID" VmRSS)

# 1. The link page against a bare actix handler answering a page of the same size.
USER_ID=0123456789abcdef0123456789abcdef
TOKEN=$(curl -sf -X PUT -H 'X-Auth-Token: bench' -H 'Accept: text/plain' -H 'Content-Type: application/json' \
    -d '{"password": "Random-pw-1", "pin": "1357"}' "$BASE/token/$USER_ID")
PAGE_BYTES=$(curl -sf "$BASE/?token=$TOKEN" | wc -c)
BARE_PORT=$(free_port)
target/release/examples/bare_page "$BARE_PORT" "$PAGE_BYTES" &
BARE_PID=$!
PIDS+=("$BARE_PID")
sleep 0.5
# Alternate the two, three rounds each, and take the medians: a VM's speed drifts.
median() { sort -n | sed -n 2p; }
reset_peak "$PID"
PAGE_RUNS=() BARE_RUNS=()
for _ in 1 2 3; do
    PAGE_RUNS+=("$(wrk -t2 -c32 -d5s "$BASE/?token=$TOKEN" | rps)")
    BARE_RUNS+=("$(wrk -t2 -c32 -d5s "http://127.0.0.1:$BARE_PORT/" | rps)")
done
PAGE_RPS=$(printf '%s\n' "${PAGE_RUNS[@]}" | median)
BARE_RPS=$(printf '%s\n' "${BARE_RUNS[@]}" | median)
PAGE_PEAK=$(status_kb "$PID" VmHWM)
kill "$BARE_PID"

# 2. PUT with a cached admin token: each renewal hashes the PIN (argon2id, 19 MiB, t=2).
cat > "$WORK/put.lua" <<LUA
wrk.method = "PUT"
wrk.body = '{"pin": "1357"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "bench"
LUA
reset_peak "$PID"
TICKS_BEFORE=$(cpu_ticks "$PID")
PUT_RPS=$(wrk -t2 -c32 -d10s -s "$WORK/put.lua" "$BASE/token/$USER_ID" | rps)
TICKS_AFTER=$(cpu_ticks "$PID")
PUT_CORES=$(awk -v t=$((TICKS_AFTER - TICKS_BEFORE)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz / 10}')
PUT_PEAK=$(status_kb "$PID" VmHWM)
reset_peak "$PID"
wrk -t2 -c64 -d10s -s "$WORK/put.lua" "$BASE/token/$USER_ID" >/dev/null
BURST_PEAK=$(status_kb "$PID" VmHWM)

# 3. Complete onboardings through the JSON API (PUT, password step, TOTP step).
reset_peak "$PID"
ONBOARD=$(python3 scripts/bench/onboard.py "$BASE" bench 300 32)
ONBOARD_PEAK=$(status_kb "$PID" VmHWM)
ONBOARD_RATE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["per_second"])' "$ONBOARD")
kill "$PID"

# 4. One complete onboarding against the real Keystone: wall time and Keystone calls.
KS_PORT=$(free_port)
scripts/keystone.sh start bench "$KS_PORT" --first-use >"$WORK/keystone.out" 2>&1
KS="http://127.0.0.1:$KS_PORT/v3"
ADMIN_TOKEN=$(curl -si -H 'Content-Type: application/json' -d '{"auth": {"identity": {"methods": ["password"],
    "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "'"${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"'"}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}' "$KS/auth/tokens" \
    | awk 'tolower($1) == "x-subject-token:" {print $2}' | tr -d '\r')
REAL_USER=$(curl -sf -H "X-Auth-Token: $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"user": {"name": "bench-user", "password": "Random-pw-1"}}' "$KS/users" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["user"]["id"])')
PORT=$(free_port)
read -r PID _ < <(BENCH_RUST_LOG=setpass::keystone=info start_setpass "$PORT" "$WORK/real.db" "$KS" "$WORK/real.log")
PIDS+=("$PID")
REAL=$(python3 scripts/bench/onboard.py "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" 1 1 "$REAL_USER" Random-pw-1)
REAL_SECONDS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$REAL")
kill "$PID"; sleep 0.2
KS_CALLS=$(grep -c "setpass::keystone\] keystone " "$WORK/real.log" || true)

# 5. The password step alone against the real Keystone: one user after another, each onboarded
# through its TOTP step (so a token the TOTP step needs is still checked to work).
STEPS=${BENCH_PASSWORD_STEPS:-11}
STEP_USERS=()
for i in $(seq "$STEPS"); do
    STEP_USERS+=("$(curl -sf -H "X-Auth-Token: $ADMIN_TOKEN" -H 'Content-Type: application/json' \
        -d '{"user": {"name": "bench-step-'"$i"'", "password": "Random-pw-1"}}' "$KS/users" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["user"]["id"])')" Random-pw-1)
done
PORT=$(free_port)
read -r PID _ < <(start_setpass "$PORT" "$WORK/steps.db" "$KS" "$WORK/steps.log")
PIDS+=("$PID")
SERIES=$(python3 scripts/bench/onboard.py "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$STEPS" 1 "${STEP_USERS[@]}")
kill "$PID"
read -r STEP_MEDIAN STEP_MIN STEP_MAX STEP_FAILURES < <(python3 -c 'import json,sys; r = json.loads(sys.argv[1])
print(*(r["password_step"] or ["-", "-", "-"]), r["failures"])' "$SERIES")

# 5b. Self-enrollment and recovery against the real Keystone, one user after another: users
# without MFA rules (their own token), and users with the seed's rules (a receipt; the service
# user creates the credential, the receipt completed with the code confirms it).
SELF_USERS=${BENCH_SELF_ENROLL_USERS:-5}
# Existing users have long changed their first password: a Keystone without first-use expiry.
KS_PLAIN_PORT=$(free_port)
scripts/keystone.sh start bench-plain "$KS_PLAIN_PORT" >"$WORK/keystone-plain.out" 2>&1
KS_PLAIN="http://127.0.0.1:$KS_PLAIN_PORT/v3"
PLAIN_TOKEN=$(curl -si -H 'Content-Type: application/json' -d '{"auth": {"identity": {"methods": ["password"],
    "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": "'"${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1}"'"}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}' "$KS_PLAIN/auth/tokens" \
    | awk 'tolower($1) == "x-subject-token:" {print $2}' | tr -d '\r')
ks_json() { curl -sf -H "X-Auth-Token: $PLAIN_TOKEN" -H 'Content-Type: application/json' "$@"; }
ks_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]]["id"])' "$1"; }
new_user() { # name [rules]
    local options=""
    [ -n "${2:-}" ] && options=', "options": {"multi_factor_auth_enabled": true, "multi_factor_auth_rules": '"$2"'}'
    ks_json -d '{"user": {"name": "'"$1"'", "password": "Random-pw-1"'"$options"'}}' "$KS_PLAIN/users" | ks_id user
}
SERVICE_ID=$(new_user bench-service)
ADMIN_PROJECT=$(ks_json "$KS_PLAIN/projects?name=admin" | python3 -c 'import json, sys; print(json.load(sys.stdin)["projects"][0]["id"])')
ADMIN_ROLE=$(ks_json "$KS_PLAIN/roles?name=admin" | python3 -c 'import json, sys; print(json.load(sys.stdin)["roles"][0]["id"])')
ks_json -X PUT "$KS_PLAIN/projects/$ADMIN_PROJECT/users/$SERVICE_ID/roles/$ADMIN_ROLE" >/dev/null
self_enroll_run() { # prefix [rules]
    local users=() i port pid
    for i in $(seq "$SELF_USERS"); do
        new_user "$1-$i" "${2:-}" >/dev/null
        users+=("$1-$i" Random-pw-1)
    done
    port=$(free_port)
    read -r pid _ < <(BENCH_RUST_LOG=setpass::keystone=info SETPASS_SELF_ENROLL__ENABLED=true \
        SETPASS_SELF_ENROLL__PER_USER_PER_MINUTE=1000 SETPASS_RECOVERY__ENABLED=true \
        SETPASS_KEYSTONE__SERVICE_USER_NAME=bench-service SETPASS_KEYSTONE__SERVICE_USER_PASSWORD=Random-pw-1 \
        start_setpass "$port" "$WORK/$1.db" "$KS_PLAIN" "$WORK/$1.log")
    PIDS+=("$pid")
    python3 scripts/bench/self_enroll.py "http://127.0.0.1:$port" "$WORK/$1.log" "${users[@]}"
    kill "$pid"
}
self_row() { # json phase
    python3 - "$1" "$2" <<'PY'
import json, sys
r = json.loads(sys.argv[1])[sys.argv[2]]
s = r["seconds"]
print(f"{s[0]} s ({s[1]}-{s[2]}), {r['keystone_calls']:g} Keystone calls")
PY
}
SELF_PLAIN=$(self_enroll_run bench-self)
SELF_SEED=$(self_enroll_run bench-seed '[["password","totp"],["application_credential"]]')
ROW_SELF_PLAIN=$(self_row "$SELF_PLAIN" enroll)
ROW_RECOVER_PLAIN=$(self_row "$SELF_PLAIN" recover)
ROW_SELF_SEED=$(self_row "$SELF_SEED" enroll)
ROW_RECOVER_SEED=$(self_row "$SELF_SEED" recover)

# 6. The shared MariaDB backend: the link page, PUT and complete onboardings with one replica,
#    then two on the same database (each driven by its own load generator; rates are summed).
#    Uses BENCH_MARIADB_URL, else the MariaDB on 127.0.0.1:3306, else a private one.
MARIADB=${BENCH_MARIADB_URL:-}
if [ -z "$MARIADB" ]; then
    if scripts/mariadb.sh probe 3306; then
        MARIADB=mysql://root@127.0.0.1:3306/
    else
        scripts/mariadb.sh install
        MARIADB_PORT=$(free_port)
        MARIADB=$(scripts/mariadb.sh start "$MARIADB_PORT" | tail -1)
        trap 'cleanup; scripts/mariadb.sh stop "$MARIADB_PORT" || true' EXIT
    fi
fi
BENCH_DB="setpass_bench_$$"
sql() { python3 - "$MARIADB" "$1" <<'PY'
import sys, urllib.parse, subprocess
url = urllib.parse.urlparse(sys.argv[1])
args = ["mariadb", "--protocol=tcp", "-h", url.hostname or "127.0.0.1", "-P", str(url.port or 3306), "-u", url.username or "root"]
if url.password:
    args.append(f"-p{url.password}")
subprocess.run(args + ["-e", sys.argv[2]], check=True)
PY
}
# The sum of the numbers in these files (one each, with or without a line break).
sum() { for file in "$@"; do cat "$file"; echo; done | awk 'NF {s += $1} END {print s}'; }
shared_run() {
    local replicas=$1 ports=() pids=() i
    sql "DROP DATABASE IF EXISTS $BENCH_DB; CREATE DATABASE $BENCH_DB"
    for i in $(seq "$replicas"); do
        ports+=("$(free_port)")
        read -r pid _ < <(SETPASS_DATABASE__URL="${MARIADB%/}/$BENCH_DB" SETPASS_SECRETS__KEY="$BENCH_KEY" \
            start_setpass "${ports[-1]}" "" "$STANDIN" "$WORK/shared-$replicas-$i.log")
        pids+=("$pid"); PIDS+=("$pid")
    done
    local token
    token=$(curl -sf -X PUT -H 'X-Auth-Token: bench' -H 'Accept: text/plain' -H 'Content-Type: application/json' \
        -d '{"password": "Random-pw-1", "pin": "1357"}' "http://127.0.0.1:${ports[0]}/token/$USER_ID")
    local outs=() loads=()
    for i in "${!ports[@]}"; do
        outs+=("$WORK/page-$replicas-$i")
        { wrk -t1 -c$((32 / replicas)) -d5s "http://127.0.0.1:${ports[$i]}/?token=$token" | rps > "${outs[-1]}"; } &
        loads+=($!)
    done
    wait "${loads[@]}"; loads=()
    SHARED_PAGE[$replicas]=$(sum "${outs[@]}")
    outs=()
    for i in "${!ports[@]}"; do
        outs+=("$WORK/put-$replicas-$i")
        { wrk -t1 -c$((32 / replicas)) -d10s -s "$WORK/put.lua" "http://127.0.0.1:${ports[$i]}/token/$USER_ID" | rps > "${outs[-1]}"; } &
        loads+=($!)
    done
    wait "${loads[@]}"; loads=()
    SHARED_PUT[$replicas]=$(sum "${outs[@]}")
    outs=()
    for i in "${!ports[@]}"; do
        outs+=("$WORK/onboard-$replicas-$i")
        { python3 scripts/bench/onboard.py "http://127.0.0.1:${ports[$i]}" bench $((300 / replicas)) $((32 / replicas)) \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["per_second"])' > "${outs[-1]}"; } &
        loads+=($!)
    done
    wait "${loads[@]}"
    SHARED_ONBOARD[$replicas]=$(sum "${outs[@]}")
    for pid in "${pids[@]}"; do kill "$pid"; done
    sql "DROP DATABASE IF EXISTS $BENCH_DB"
}
# 7. Invite 200 users from a CSV against the real Keystone: `setpass invite --csv` against the
# operator's loop of `openstack user create` and `curl -X PUT`, same run, same results. This
# Keystone runs as clouds run it: its tables in MariaDB and two uwsgi workers (one per core
# here); the SQLite one above takes one writer at a time. Both sides meet the same Keystone.
scripts/keystone.sh stop bench-plain
KS_INVITE_DB="keystone_bench_$$"
sql "CREATE DATABASE $KS_INVITE_DB CHARACTER SET utf8mb4"
KS_INVITE_URL="${MARIADB/mysql:\/\//mysql+pymysql://}"
KS_INVITE_PORT=$(free_port)
scripts/keystone.sh start bench-invite "$KS_INVITE_PORT" --processes 2 \
    --database "${KS_INVITE_URL%/}/$KS_INVITE_DB?charset=utf8mb4" >"$WORK/keystone-invite.out" 2>&1
KS_INVITE="http://127.0.0.1:$KS_INVITE_PORT/v3"
PORT=$(free_port)
read -r PID _ < <(start_setpass "$PORT" "$WORK/invite.db" "$KS_INVITE" "$WORK/invite.log")
PIDS+=("$PID")
read -r INVITE_LOOP_S INVITE_S < <(scripts/bench/invite.sh "$KS_INVITE" "http://127.0.0.1:$PORT" \
    "$ROOT/target/release/setpass" "${BENCH_INVITE_USERS:-200}")
kill "$PID"
scripts/keystone.sh stop bench-invite
sql "DROP DATABASE IF EXISTS $KS_INVITE_DB"

BENCH_KEY=$(head -c 32 /dev/urandom | base64)
declare -A SHARED_PAGE SHARED_PUT SHARED_ONBOARD
shared_run 1
shared_run 2

cat <<TABLE

| Measure | Result | Target |
|---|---|---|
| Link page, 32 connections (median of 3 x 5 s: ${PAGE_RUNS[*]}) | $PAGE_RPS req/s | |
| Bare actix handler, same page size ($PAGE_BYTES bytes; ${BARE_RUNS[*]}) | $BARE_RPS req/s | |
| Link page / bare handler | $(awk -v a="$PAGE_RPS" -v b="$BARE_RPS" 'BEGIN {printf "%.0f%%", 100 * a / b}') | >= 60% |
| PUT /token (cached admin token, argon2id per request), 32 connections | $PUT_RPS req/s, setpass using $PUT_CORES cores | argon2-bound |
| Complete onboardings, JSON API, 32 at once (stand-in Keystone) | $ONBOARD_RATE /s | |
| RSS at idle | $(mb "$IDLE_KB") | <= 20 MB |
| Peak RSS: link page load / PUT load / 64-connection PUT burst / onboardings | $(mb "$PAGE_PEAK") / $(mb "$PUT_PEAK") / $(mb "$BURST_PEAK") / $(mb "$ONBOARD_PEAK") | burst <= 150 MB |
| Ready to serve after start, existing database | $READY_MS ms | <= 200 ms |
| One onboarding against the real Keystone (first-use expiry on) | $REAL_SECONDS s, $KS_CALLS Keystone calls | |
| Password step against the real Keystone, median of $STEPS one after another (min-max; failed onboardings) | $STEP_MEDIAN s ($STEP_MIN-$STEP_MAX; $STEP_FAILURES) | <= 0.6 s |
| Self-enrollment against the real Keystone, no MFA rules, median of $SELF_USERS (min-max) | $ROW_SELF_PLAIN | |
| Recovery with a recovery code, no MFA rules, median of $SELF_USERS | $ROW_RECOVER_PLAIN | |
| Self-enrollment, seed MFA rules (receipt; service user), median of $SELF_USERS | $ROW_SELF_SEED | |
| Recovery, seed MFA rules (receipt; service user), median of $SELF_USERS | $ROW_RECOVER_SEED | |
| Invite ${BENCH_INVITE_USERS:-200} users from a CSV against the real Keystone (on MariaDB, 2 workers): \`setpass invite --csv\` (--parallel 4) / the \`openstack user create\` + \`curl -X PUT\` loop | $INVITE_S s / $INVITE_LOOP_S s ($(awk -v a="$INVITE_LOOP_S" -v b="$INVITE_S" 'BEGIN {printf "%.1fx", a / b}') faster) | >= 10x |

| Shared MariaDB (stand-in Keystone) | SQLite, 1 process | MariaDB, 1 replica | MariaDB, 2 replicas |
|---|---|---|---|
| Link page, 32 connections (req/s) | $PAGE_RPS | ${SHARED_PAGE[1]} | ${SHARED_PAGE[2]} |
| PUT /token, 32 connections (req/s) | $PUT_RPS | ${SHARED_PUT[1]} | ${SHARED_PUT[2]} |
| Complete onboardings, 32 at once (/s) | $ONBOARD_RATE | ${SHARED_ONBOARD[1]} | ${SHARED_ONBOARD[2]} |
TABLE
