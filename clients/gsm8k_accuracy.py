"""Alias kept for one release: `python -m speclens.clients.gsm8k_accuracy` is `python -m speclens.clients.accuracy`."""

from speclens.clients.accuracy.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
