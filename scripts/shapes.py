"""Onboardings against each Keystone serving shape, as an operator would try them from outside.

usage: shapes.py SETPASS_BINARY COUNT   (run by scripts/shapes.sh, which exports SETPASS_TEST_*)
For each shape: start the setpass binary against it, onboard COUNT new users one after the other
(admin PUT, password step, TOTP step), then read Keystone calls from setpass's own metrics.
Prints a Markdown table: finished/attempted and Keystone calls per onboarding."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "bench"))
from onboard import call, onboard  # noqa: E402

ADMIN_PASSWORD = os.environ.get("SETPASS_TEST_KEYSTONE_ADMIN_PASSWORD", "admin-secret-pw-1")


def keystone_call(url, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, json.loads(response.read() or b"{}")


def admin_token(url):
    headers, _ = keystone_call(url, "POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    return headers["X-Subject-Token"]


def new_user(url, token, options=None):
    password = "Random-pw-" + uuid.uuid4().hex[:8] + "1"
    user = {"name": "shape-" + uuid.uuid4().hex[:12], "password": password, "domain_id": "default"}
    if options:
        user["options"] = options
    _, body = keystone_call(url, "POST", "/users", {"user": user}, token)
    return body["user"]["id"], password


def app_credential(url, token):
    request = urllib.request.Request(url + "/auth/tokens?nocatalog",
                                     headers={"X-Auth-Token": token, "X-Subject-Token": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        me = json.loads(response.read())
    user_id = me["token"]["user"]["id"]
    _, body = keystone_call(url, "POST", f"/users/{user_id}/application_credentials",
                            {"application_credential": {"name": "shapes-" + uuid.uuid4().hex[:8]}}, token)
    return body["application_credential"]["id"], body["application_credential"]["secret"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_setpass(binary, directory, auth_url, extra):
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "RUST_LOG": "warn",
           "SETPASS_SERVER__LISTEN": f"127.0.0.1:{port}",
           "SETPASS_SERVER__PUBLIC_URL": "https://setpass.example.test",
           "SETPASS_DATABASE__PATH": os.path.join(directory, "setpass.db"),
           "SETPASS_KEYSTONE__AUTH_URL": auth_url,
           "SETPASS_LIMITS__USER_PER_MINUTE": "100000", "SETPASS_LIMITS__USER_BURST": "100000"}
    env.update(extra)
    process = subprocess.Popen([binary], env=env, stderr=open(os.path.join(directory, "log"), "w"))
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError("setpass refused the configuration")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("setpass did not start")


def keystone_calls(base):
    text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    calls = sum(float(v) for v in re.findall(r"^setpass_keystone_request_duration_seconds_count\{[^}]*\} (\S+)$", text, re.M))
    retries = sum(float(v) for v in re.findall(r"^setpass_keystone_retries_total (\S+)$", text, re.M))
    return calls, retries


def run_shape(binary, count, name, auth_url, admin_url, extra=None, options=None):
    token = admin_token(admin_url)
    extra = dict(extra or {})
    if options:
        credential_id, secret = app_credential(admin_url, token)
        extra.update({"SETPASS_KEYSTONE__SERVICE_CREDENTIAL_ID": credential_id,
                      "SETPASS_KEYSTONE__SERVICE_CREDENTIAL_SECRET": secret})
    with tempfile.TemporaryDirectory() as directory:
        try:
            process, base = start_setpass(binary, directory, auth_url, extra)
        except RuntimeError as err:
            print(f"| {name} | 0/{count} ({err}) | - | - |", flush=True)
            return
        finished = 0
        try:
            for _ in range(count):
                user_id, password = new_user(admin_url, token, options)
                try:
                    onboard(base, token, user_id, password)
                    finished += 1
                except Exception as err:  # counted and shown, not hidden
                    print(f"{name}: onboarding failed: {err}", file=sys.stderr)
            calls = keystone_calls(base)
        finally:
            process.terminate()
            process.wait()
    calls, retries = calls
    print(f"| {name} | {finished}/{count} | {calls / count:.1f} | {retries / count:.1f} |", flush=True)


def main():
    binary, count = sys.argv[1], int(sys.argv[2])
    env = os.environ
    plain, first_use = env["SETPASS_TEST_KEYSTONE_URL"], env["SETPASS_TEST_KEYSTONE_FIRST_USE_URL"]
    tls = {"SETPASS_KEYSTONE__CAFILE": env["SETPASS_TEST_KEYSTONE_CA"]}
    mtls = dict(tls, SETPASS_KEYSTONE__CERTFILE=env["SETPASS_TEST_KEYSTONE_CLIENT_CERT"],
                SETPASS_KEYSTONE__KEYFILE=env["SETPASS_TEST_KEYSTONE_CLIENT_KEY"])
    preset = {"multi_factor_auth_enabled": True,
              "multi_factor_auth_rules": [["password", "totp"], ["application_credential"]]}
    print("| Keystone served as | finished / attempted | Keystone calls per onboarding | of which resent on a new connection |")
    print("| --- | --- | --- | --- |")
    run_shape(binary, count, "uwsgi router, keep-alive", plain, plain)
    run_shape(binary, count, "uwsgi --http-socket (no keep-alive)", env["SETPASS_TEST_KEYSTONE_NO_KEEPALIVE_URL"], plain)
    run_shape(binary, count, "first-use expiry, no keep-alive", env["SETPASS_TEST_KEYSTONE_FIRST_USE_NO_KEEPALIVE_URL"], first_use)
    run_shape(binary, count, "MFA rules preset + service credential, no keep-alive",
              env["SETPASS_TEST_KEYSTONE_NO_KEEPALIVE_URL"], plain, options=preset)
    run_shape(binary, count, "TLS, private CA (nginx)", env["SETPASS_TEST_KEYSTONE_TLS_URL"], plain, tls)
    run_shape(binary, count, "TLS + client certificate (nginx)", env["SETPASS_TEST_KEYSTONE_MTLS_URL"], plain, mtls)
    run_shape(binary, count, "/identity prefix, no keep-alive (nginx)", env["SETPASS_TEST_KEYSTONE_PREFIX_URL"], plain)


if __name__ == "__main__":
    main()
