"""Alias kept for one release: `python -m speclens.clients.three_mode` is `python -m speclens.clients.speclora.three_mode`."""

from speclens.clients.speclora.three_mode import main

if __name__ == "__main__":
    raise SystemExit(main())
