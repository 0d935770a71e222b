"""Read a JSON file, turning every way it can be unreadable into one ParseError with a location."""

from __future__ import annotations

import json
from typing import Any

from speclens.parsers.errors import ParseError
from speclens.parsers.files import open_input


def read_json(path: str) -> Any:
    try:
        with open_input(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as err:
        raise ParseError(path, err.lineno, f"invalid JSON ({err.msg})", "the file is truncated or not JSON") from None
    except UnicodeDecodeError as err:
        raise ParseError(path, None, f"expected UTF-8 JSON, found an invalid byte at offset {err.start}") from None
