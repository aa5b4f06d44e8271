"""A fast stand-in Keystone for the benchmark: answers every call setpass makes, instantly,
so that setpass's own speed is measured, not Keystone's. Not for tests of behaviour."""
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_INFO = {"token": {"expires_at": "2099-01-01T00:00:00.000000Z",
                        "roles": [{"id": "r", "name": "admin"}], "system": {"all": True}}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/v3/auth/tokens"):
            self.answer(200, TOKEN_INFO)
        elif path.startswith("/v3/users/"):
            uid = path.rsplit("/", 1)[-1]
            self.answer(200, {"user": {"id": uid, "name": "bench-" + uid[:8]}})
        elif path.startswith("/v3/credentials"):
            self.answer(200, {"credentials": []})
        else:
            self.answer(200, {"version": {"id": "v3.14"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        path = self.path.split("?")[0]
        if path.endswith("/password"):
            self.answer(204)
        elif path.startswith("/v3/auth/tokens"):
            self.answer(201, {"token": {"expires_at": "2099-01-01T00:00:00.000000Z"}},
                        [("X-Subject-Token", uuid.uuid4().hex)])
        elif path.startswith("/v3/credentials"):
            self.answer(201, {"credential": {"id": uuid.uuid4().hex}})
        else:
            self.answer(404, {"error": {"code": 404}})


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 256
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
