#!/usr/bin/env python3
"""A local webhook receiver for the demo: answers 200 and appends each request (headers and
JSON body) as one JSON line to the file given, so the demo can print what Scanflow sent.
    receiver.py PORT OUT.jsonl"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        with open(sys.argv[2], "a", encoding="utf-8") as out:
            out.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": json.loads(body or "null")}) + "\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
