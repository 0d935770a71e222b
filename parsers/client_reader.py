"""Typed field access for client result JSONs: one ParseError line naming the file and the field."""

from __future__ import annotations

from typing import Any

from speclens.parsers.errors import ParseError

NUM = (int, float)


class Reader:
    """Reads fields of one file's JSON; every failure names `path` and where the field was expected."""

    def __init__(self, path: str) -> None:
        self.path = path

    def get(self, obj: Any, key: str, kinds: tuple | type, where: str, optional: bool = False) -> Any:
        if not isinstance(obj, dict):
            raise ParseError(self.path, None, f"expected an object at {where}")
        if key not in obj or obj[key] is None:
            if optional:
                return None
            raise ParseError(self.path, None, f"expected '{key}' at {where}",
                             "was this file written by a speclens client?")
        value = obj[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
            raise ParseError(self.path, None,
                             f"expected {_names(kinds)} for '{key}' at {where}, got {type(value).__name__}")
        return value

    def num(self, obj: Any, key: str, where: str, optional: bool = True) -> float | None:
        return self.get(obj, key, NUM, where, optional)


def _tuple(kinds: tuple | type) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _names(kinds: tuple | type) -> str:
    return " or ".join(k.__name__ for k in _tuple(kinds))
