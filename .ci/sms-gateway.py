#!/usr/bin/env python3
"""The local stand-in SMS gateway for CI (standard library only): accepts the common REST send
call (POST <base>/messages with to, from, body as JSON or a form; bearer or basic auth) and keeps
every request, listed as JSON by GET /requests. POST /replies with webhook, secret, from, body
(JSON) delivers a patient's reply as a gateway does: it posts {"from", "to", "text"} to the
webhook with "Authorization: Bearer <secret>" and answers {"status": <the webhook's status>}. The Rust testkit starts the same gateway
in-process when CAREKEEP_TEST_SMS_URL is unset. Usage: sms-gateway.py PORT (prints its URL)."""
import json
import sys
import urllib.error
import urllib.request
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

KEPT = []
LOCK = threading.Lock()


def deliver(body):
    try:
        v = json.loads(body)
    except ValueError:
        return 0
    data = json.dumps({"from": v.get("from", ""), "to": "+15550100000", "text": v.get("body", "")}).encode()
    req = urllib.request.Request(v.get("webhook", ""), data=data, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Bearer " + v.get("secret", ""))
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ValueError, OSError):
        return 0


class Gateway(BaseHTTPRequestHandler):
    def answer(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        if self.path.rstrip("/") == "/replies":
            return self.answer(200, {"status": deliver(body)})
        if not self.path.rstrip("/").endswith("/messages"):
            return self.answer(404, {"error": "not found"})
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                v = json.loads(body)
            except ValueError:
                v = {}
        else:
            v = {k: vs[0] for k, vs in parse_qs(body).items()}
        auth = self.headers.get("Authorization") or ""
        if not auth:
            return self.answer(401, {"error": "no credentials"})
        if not v.get("to") or not v.get("body"):
            return self.answer(400, {"error": "to and body are required"})
        with LOCK:
            KEPT.append({"auth": auth, "to": v.get("to", ""), "from": v.get("from", ""), "body": v["body"]})
            n = len(KEPT)
        self.answer(201, {"id": f"SM{n}", "status": "queued"})

    def do_GET(self):
        if self.path.rstrip("/") != "/requests":
            return self.answer(404, {"error": "not found"})
        with LOCK:
            self.answer(200, list(KEPT))

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 55434
    server = ThreadingHTTPServer(("127.0.0.1", port), Gateway)
    print(f"http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
