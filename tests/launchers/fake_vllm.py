"""A stand-in for `vllm serve` in fault tests (SPECLENS_VLLM=this file): a real process on loopback.

It takes vLLM's argv (`serve MODEL --host H --port P --served-model-name N ...`, the rest ignored)
and behaves as FAKE_VLLM_MODE says (`--version` alone prints FAKE_VLLM_VERSION, default 0.32.0):
  ok               exec `guidellm mock-server` (an OpenAI-compatible server with /health) there
  never-healthy    sleep without listening
  crash            print an argparse-style error and exit 2 at once
  die-after:S      run the mock server, then die (with it) after S seconds
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _arg(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv else default


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:  # what run_eval.sh asks an executable --vllm first
        print(os.environ.get("FAKE_VLLM_VERSION", "0.32.0"))
        return
    mode = os.environ.get("FAKE_VLLM_MODE", "ok")
    print(f"fake vllm: mode {mode}, argv {argv}", flush=True)
    if mode == "crash":
        print("vllm serve: error: unrecognized arguments: --bogus", flush=True)
        sys.exit(2)
    if mode == "never-healthy":
        time.sleep(3600)
        return
    guidellm = str(Path(sys.executable).with_name("guidellm"))
    server = [guidellm, "mock-server", "--host", _arg(argv, "--host", "127.0.0.1"), "--port", _arg(argv, "--port", "8000"),
              "--model", _arg(argv, "--served-model-name", "fake"), "--ttft-ms", "5", "--itl-ms", "1",
              "--output-tokens", "16"]
    if mode == "ok":
        os.execv(guidellm, server)
    seconds = float(mode.split(":", 1)[1])
    child = subprocess.Popen(server)  # noqa: S603
    time.sleep(seconds)
    child.kill()
    print("fake vllm: dying mid-load", flush=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
