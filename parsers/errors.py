"""The one error type every reader raises for input it cannot use."""

from __future__ import annotations


class ParseError(Exception):
    """Input that cannot be read as what it claims to be.

    `path` and `lineno` locate it (lineno is None when the whole file is at fault), `expected`
    says what a good input has there, and `hint` how to fix it. `str()` is the one line the
    CLI prints to stderr.
    """

    def __init__(self, path: str, lineno: int | None, expected: str, hint: str = "") -> None:
        self.path = path
        self.lineno = lineno
        self.expected = expected
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.lineno}" if self.lineno is not None else self.path
        return f"{where}: {self.expected}" + (f"; {self.hint}" if self.hint else "")


def input_error_line(err: BaseException) -> str:
    """The one line of an input error that was caught to go on with other inputs: a ParseError's
    own text; an OSError as `file: reason`."""
    if isinstance(err, OSError):
        return f"{err.filename}: {err.strerror or err}" if err.filename else str(err.strerror or err)
    return str(err)
