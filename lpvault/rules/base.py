"""What a rule is: code, name, default severity, scope and a pure check.

A rule's docstring is its user documentation: the first line says what it
catches, a paragraph starting "Why:" says why it matters. The README's rule
table and `lpvault rules` are generated from it.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from lpvault.findings import Hit, Severity
from lpvault.model import Note

SCOPES = ("story", "note", "vault")


@dataclass(frozen=True)
class Rule:
    """A rule as the engine sees it.

    scope 'story': check(story, vault) yields Hit in the story's note;
    scope 'note': check(note, vault) yields Hit in that note;
    scope 'vault': check(vault) yields (vault-relative path, Hit).
    """

    code: str
    name: str
    severity: Severity
    scope: str
    check: Callable[[Any, Any], Iterator[Any]]
    doc: str

    @property
    def summary(self) -> str:
        """The first line of the docstring."""
        return self.doc.split("\n", 1)[0].strip()

    @property
    def why(self) -> str:
        """The "Why:" paragraph of the docstring, without the prefix."""
        for paragraph in self.doc.split("\n\n"):
            if paragraph.strip().startswith("Why:"):
                return " ".join(paragraph.split())[len("Why:"):].strip()
        return ""


def rule(code: str, name: str, severity: Severity, *, scope: str) -> Callable[[Callable[..., Iterator[Any]]], Rule]:
    """Declare a rule: decorates its check function, whose docstring documents it."""
    if scope not in SCOPES:
        raise ValueError(f"rule {code}: unknown scope {scope!r}")

    def declare(check: Callable[..., Iterator[Any]]) -> Rule:
        return Rule(code, name, severity, scope, check, inspect.cleandoc(check.__doc__ or ""))

    return declare


def problems_named(note: Note, name: str) -> Iterator[Hit]:
    """The parse-level problems recorded on `note` under rule name `name`."""
    for problem in note.problems:
        if problem.rule == name:
            yield Hit(problem.line, problem.column, problem.message)
