"""Alias kept for one release: `python -m speclens.clients.spec_thinking_config` is `python -m speclens.clients.spec_thinking.config`."""

from speclens.clients.spec_thinking.config import main

if __name__ == "__main__":
    raise SystemExit(main())
