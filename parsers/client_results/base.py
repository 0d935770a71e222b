"""The one typed, versioned model of every client result JSON (clients/ write through it, parsers
read back through it, analyzers/client_results/ render from it).

Each workload's model subclasses `ClientResultModel`: its `client` field is the kind (a Literal with
its one value as default), `schema_version` is `SCHEMA_VERSION` in what our clients write and None
in files written before client results had a version (or by the original tools, which have neither
field). Fields are declared in the order the client writes them, so `ResultModel.written(...)` gives
the document key for key; keys a model does not declare are kept (extra="allow") and written after.

Types are strict (`Count`: int, `Number`: int or float kept as written, `Flag`: bool), so a
re-written file is byte-identical and `true` is never read as 1. A file that does not fit is one
ParseError naming the field: `expected a number at summary.identity_rate, got str`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, StrictBool, StrictFloat, StrictInt, ValidationError

from speclens.parsers.errors import ParseError

SCHEMA_VERSION = 1

Count = StrictInt
Number = StrictInt | StrictFloat
Flag = StrictBool


class Section(BaseModel):
    """A nested object of a result file: strict, unknown keys kept."""

    model_config = ConfigDict(extra="allow", strict=True)


class Interval(Section):
    """A 95% interval written by a client (analyzers/speedup/item_interval.rate_ratio): bounds null and
    `note` saying why when there is none; `formula` where the client states it."""

    ci_low: Number | None = None
    ci_high: Number | None = None
    note: str | None = None
    formula: str | None = None


class ClientResultModel(Section):
    client: str
    schema_version: Count | None = None  # None: written before client results had a version
    _path: str = PrivateAttr(default="")
    # files without "client" (the original tools'): the top-level keys that identify the kind
    SIGNATURE: ClassVar[frozenset[str] | None] = None

    @classmethod
    def kind(cls) -> str:
        return cls.model_fields["client"].default

    @classmethod
    def looks_like(cls, keys: set[str]) -> bool:
        return cls.SIGNATURE is not None and cls.SIGNATURE <= keys

    @classmethod
    def written(cls, **fields: Any) -> dict:
        """The document a client writes: `client` and `schema_version` first, then `fields`, checked
        against this model (a mismatch is a bug in the client: ValidationError, not ParseError)."""
        doc = {"client": cls.kind(), "schema_version": SCHEMA_VERSION, **fields}
        return cls.model_validate(doc).model_dump(mode="json", exclude_unset=True)

    @classmethod
    def read(cls, path: str, data: dict) -> ClientResultModel:
        try:
            model = cls.model_validate({"client": cls.kind(), **data})
        except ValidationError as err:
            raise ParseError(path, None, _first_error(err), "was this file written by a speclens client?") from None
        model._path = path
        return model

    @property
    def path(self) -> str:
        return self._path

    def configuration(self) -> dict:
        """What `speclens report` shows as the run's configuration: the `config` object as written."""
        config = getattr(self, "config", None)
        return config.model_dump(mode="json", exclude_unset=True) if isinstance(config, BaseModel) else {}


_EXPECTED = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false",
             "string_type": "a string", "dict_type": "an object", "list_type": "a list", "missing": "a value",
             "model_type": "an object", "literal_error": "the kind's name"}


_UNION_TAGS = {"int", "float", "bool", "str", "none", "dict", "list"}


def _field_path(loc: tuple) -> tuple:
    """`loc` without the union-member tags pydantic appends (`identity_rate.int` -> `identity_rate`)."""
    return tuple(p for p in loc if isinstance(p, int) or not (p in _UNION_TAGS or "[" in p or "-" in p))


def _first_error(err: ValidationError) -> str:
    """E.g. `expected a number at summary.identity_rate, got str` (all of a union's members named as one)."""
    errors = err.errors()
    loc = _field_path(errors[0]["loc"])
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "top level"
    if errors[0]["type"] == "missing":
        parent = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[:-1]).lstrip(".")
        return f"expected '{loc[-1]}' at {parent or 'top level'}"
    types = {e["type"] for e in errors if _field_path(e["loc"]) == loc}
    what = "a number" if {"int_type", "float_type"} <= types else _EXPECTED.get(errors[0]["type"], errors[0]["msg"].lower())
    return f"expected {what} at {where}, got {_got(errors[0].get('input'))}"


def _got(value: object) -> str:
    return "null" if value is None else type(value).__name__
