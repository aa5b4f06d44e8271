"""Drives complete onboardings through setpass's admin PUT and JSON API.

usage: onboard.py SETPASS_URL ADMIN_TOKEN USERS CONCURRENCY [USER_ID...]
Without user ids, random ids are used (for the stand-in Keystone). Prints one JSON line:
{"onboardings", "seconds", "per_second", "failures", "password_step"}, where "password_step" is
the median, lowest and highest time (s) of the password step alone (POST /api/v1/password)."""
import base64
import hashlib
import hmac
import json
import statistics
import struct
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def totp(secret, at=None):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def onboard(base, admin_token, user_id, password):
    issued = call("PUT", f"{base}/token/{user_id}", {"password": password, "pin": "1357"},
                  {"X-Auth-Token": admin_token})
    token = issued["token"]
    started = time.monotonic()
    step = call("POST", f"{base}/api/v1/password",
                {"token": token, "pin": "1357", "password": "Bench-password-42"})
    password_step = time.monotonic() - started
    secret = step["totp"]["secret"]
    done = call("POST", f"{base}/api/v1/totp", {"token": token, "code": totp(secret)})
    assert done["stage"] == "complete", done
    return password_step


def main():
    base, admin_token, users, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    given = sys.argv[5:]
    jobs = [(given[i] if given else uuid.uuid4().hex, given[i + 1] if given else "Random-pw-1")
            for i in range(0, len(given), 2)] if given else [(uuid.uuid4().hex, "Random-pw-1") for _ in range(users)]
    failures = 0
    steps = []
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for result in [pool.submit(onboard, base, admin_token, uid, pw) for uid, pw in jobs]:
            try:
                steps.append(result.result())
            except Exception as err:  # reported, not hidden
                failures += 1
                print(f"onboarding failed: {err}", file=sys.stderr)
    seconds = time.monotonic() - started
    print(json.dumps({"onboardings": len(jobs) - failures, "seconds": round(seconds, 3),
                      "per_second": round((len(jobs) - failures) / seconds, 1), "failures": failures,
                      "password_step": [round(statistics.median(steps), 3), round(min(steps), 3),
                                        round(max(steps), 3)] if steps else None}))


if __name__ == "__main__":
    main()
