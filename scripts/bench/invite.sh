#!/usr/bin/env bash
# "Invite N users from a CSV against the real Keystone": `setpass invite --csv` against the
# loop an operator writes today (`openstack user create ...` then `curl -X PUT` per row), in the
# same run, then checks both made the same: N users with their emails, N live links.
#   scripts/bench/invite.sh KEYSTONE_V3_URL SETPASS_URL SETPASS_BINARY [N]   (N: 200)
# Prints: "<loop seconds> <setpass seconds>". The admin is admin / $KEYSTONE_ADMIN_PASSWORD.
set -euo pipefail
KS=$1 SETPASS=$2 BINARY=$3 N=${4:-200}
cd "$(dirname "$0")/../.."
OPENSTACK=$(scripts/keystone.sh openstack)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OS_AUTH_URL=$KS OS_USERNAME=admin OS_PASSWORD=${KEYSTONE_ADMIN_PASSWORD:-admin-secret-pw-1} \
    OS_USER_DOMAIN_ID=default OS_PROJECT_NAME=admin OS_PROJECT_DOMAIN_ID=default OS_IDENTITY_API_VERSION=3
RUN=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "name,email,pin" >"$WORK/users.csv"
for i in $(seq 1 "$N"); do echo "inv-$RUN-$i,inv$i@example.com,2468" >>"$WORK/users.csv"; done

# The operator's loop today: a token once, then per row a user with a random password and a PUT.
loop() {
    local token
    token=$("$OPENSTACK" token issue -f value -c id)
    tail -n +2 "$WORK/users.csv" | while IFS=, read -r name email pin; do
        password="Rnd-$(head -c 12 /dev/urandom | base64 | tr '/+' '_-')-9"
        id=$("$OPENSTACK" user create --domain default --password "$password" --email "$email" "loop-$name" -f value -c id)
        curl -sf -X PUT -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
            -d '{"password": "'"$password"'", "pin": "'"$pin"'", "email": "'"$email"'"}' "$SETPASS/token/$id" \
            | python3 -c 'import json, sys; b = json.load(sys.stdin); print(b["user_id"], b["url"])'
    done >"$WORK/loop.out"
}
started=$(date +%s.%N)
loop
LOOP_S=$(echo "$(date +%s.%N) - $started" | bc)

sed -i '1!s/^/csv-/' "$WORK/users.csv"
started=$(date +%s.%N)
"$BINARY" invite --csv "$WORK/users.csv" --url "$SETPASS" --results "$WORK/setpass.csv" -f value >/dev/null 2>"$WORK/setpass.err"
SETPASS_S=$(echo "$(date +%s.%N) - $started" | bc)

# The same result: N users each (same emails, in Keystone), N links, every record live in setpass.
python3 - "$WORK" "$N" "$RUN" "$KS" "$SETPASS" <<'PY'
import csv, json, os, sys, urllib.request
work, n, run, ks, setpass = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
loop = [line.split() for line in open(f"{work}/loop.out")]
rows = list(csv.DictReader(open(f"{work}/setpass.csv")))
ours = [(r["user_id"], r["link_or_error"]) for r in rows if r["outcome"] == "created"]
assert len(loop) == n and len(ours) == n, (len(loop), len(ours))
assert all("?token=" in url for _, url in loop + ours)
def get(url, tok):
    return json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"X-Auth-Token": tok})))
req = json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
    "domain": {"id": "default"}, "password": os.environ["OS_PASSWORD"]}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
tok = urllib.request.urlopen(urllib.request.Request(f"{ks}/auth/tokens", req, {"Content-Type": "application/json"})).headers["X-Subject-Token"]
emails = {}
for user in get(f"{ks}/users?domain_id=default", tok)["users"]:
    if run in user["name"]:
        emails[user["name"]] = user.get("email")
for i in range(1, n + 1):
    name = f"inv-{run}-{i}"
    assert emails[f"loop-{name}"] == emails[f"csv-{name}"] == f"inv{i}@example.com", name
for user_id, _ in loop + ours:
    assert get(f"{setpass}/token/{user_id}", tok)["stage"] == "password"
PY
echo "$LOOP_S $SETPASS_S"
