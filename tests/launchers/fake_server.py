"""A short-lived stand-in for a vLLM server in launcher tests (a real process on loopback).

usage: python fake_server.py PORT [--boot-seconds S] [--ignore-term] [--child]
Serves GET /health (200 once booted) and GET /metrics (a tiny Prometheus text). --ignore-term
makes it survive SIGTERM (to test the KILL fallback); --child starts a sleeping child process in
the same process group (like vLLM's engine core), which must die with it.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

METRICS = b"vllm:spec_decode_num_drafts_total{engine=\"0\",model_name=\"fake\"} 4.0\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--boot-seconds", type=float, default=0.0)
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.child:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])  # noqa: S603
    ready_at = time.monotonic() + args.boot_seconds

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            booted = time.monotonic() >= ready_at
            body = METRICS if self.path == "/metrics" else b"ok"
            self.send_response(200 if booted else 503)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    print(f"fake server on 127.0.0.1:{args.port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
