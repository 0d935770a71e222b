"""Alias kept for one release: `python -m speclens.clients.lora_merge` is `python -m speclens.clients.speclora.lora_merge`."""

from speclens.clients.speclora.lora_merge import main

if __name__ == "__main__":
    raise SystemExit(main())
