"""Self-enrollment and recovery through setpass's JSON API against the real Keystone, one user
after another, counting the Keystone calls each made in setpass's log.

usage: self_enroll.py SETPASS_URL SETPASS_LOG USER_NAME PASSWORD [USER_NAME PASSWORD ...]
setpass must log `setpass::keystone=info`. Prints one JSON line: for "enroll" (POST
/api/v1/enroll, then /api/v1/enroll/totp) and "recover" (POST /api/v1/recover with a recovery
code, then /api/v1/enroll/totp): the median, lowest and highest seconds, and the Keystone calls
per user (the median)."""
import json
import statistics
import sys
import time

from onboard import call, totp


def keystone_calls(log):
    with open(log, encoding="utf-8", errors="replace") as lines:
        return sum(1 for line in lines if "setpass::keystone] keystone " in line)


def timed(log, start, body):
    """Runs one start call and its code; returns (seconds, Keystone calls, recovery codes)."""
    calls, started = keystone_calls(log), time.monotonic()
    step = call("POST", f"{start}", body)
    done = call("POST", start.rsplit("/", 1)[0] + "/enroll/totp",
                {"enrollment": step["enrollment"], "code": totp(step["totp"]["secret"])})
    assert done["stage"] == "complete", done
    seconds = time.monotonic() - started
    # setpass logs each Keystone call (to unbuffered stderr) before it answers.
    return seconds, keystone_calls(log) - calls, done["recovery_codes"]


def summary(results):
    seconds = [r[0] for r in results]
    return {"seconds": [round(statistics.median(seconds), 3), round(min(seconds), 3), round(max(seconds), 3)],
            "keystone_calls": statistics.median([r[1] for r in results])}


def main():
    base, log, given = sys.argv[1], sys.argv[2], sys.argv[3:]
    users = list(zip(given[0::2], given[1::2]))
    enrolled, recovered = [], []
    for name, password in users:
        result = timed(log, f"{base}/api/v1/enroll", {"user_name": name, "password": password})
        enrolled.append(result)
        recovered.append(timed(log, f"{base}/api/v1/recover",
                               {"user_name": name, "password": password, "recovery_code": result[2][0]}))
    print(json.dumps({"users": len(users), "enroll": summary(enrolled), "recover": summary(recovered)}))


if __name__ == "__main__":
    main()
