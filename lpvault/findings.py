"""The lint record (flake8's immutable violation) and its severity."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from lpvault.records import pickled_as_arguments


class Severity(IntEnum):
    """How much a finding matters; ERROR > WARNING > INFO."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in config, output and `--fail-on`."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """`'warning'` -> Severity.WARNING (ValueError for anything else)."""
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


class Hit(NamedTuple):
    """What a rule yields: a position in the note and a message."""

    line: int
    column: int
    message: str


@pickled_as_arguments
@dataclass(frozen=True, order=True, slots=True)
class Finding:
    """One finding, stamped with its rule's code and effective severity.

    Sorts by path, line, column, then code."""

    path: str
    line: int
    column: int
    code: str
    rule: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        """The JSON shape: path, line, column, code, rule, severity, message."""
        return {"path": self.path, "line": self.line, "column": self.column, "code": self.code,
                "rule": self.rule, "severity": self.severity.label, "message": self.message}
