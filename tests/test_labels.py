"""Every label form of SPEC section 3, and the lines that must not be labels."""
from __future__ import annotations

import pytest

from lpvault.labels import LabelReader

READER = LabelReader()

LABELS = [
    ("**Situation**: text", "situation", "part", "text"),
    ("**Situation:** text", "situation", "part", "text"),
    ("**Situation:**", "situation", "part", ""),
    ("**Situation**", "situation", "part", ""),
    ("__Task__: text", "task", "part", "text"),
    ("*Action*: text", "action", "part", "text"),
    ("***Result:*** done", "result", "part", "done"),
    ("Situation:", "situation", "part", ""),
    ("Situation: text", "situation", "part", "text"),
    ("SITUATION: text", "situation", "part", "text"),
    ("situation : text", "situation", "part", "text"),
    ("Actions: did it", "action", "part", "did it"),
    ("Results: 20% faster", "result", "part", "20% faster"),
    ("S: text", "situation", "part", "text"),
    ("S - text", "situation", "part", "text"),
    ("S : text", "situation", "part", "text"),
    ("T – text", "task", "part", "text"),
    ("R: 3x", "result", "part", "3x"),
    ("Context: legacy system", "situation", "part", "legacy system"),
    ("Background: x", "situation", "part", "x"),
    ("Goal: x", "task", "part", "x"),
    ("Objective: x", "task", "part", "x"),
    ("Approach: x", "action", "part", "x"),
    ("Behavior: x", "action", "part", "x"),
    ("Outcome: x", "result", "part", "x"),
    ("Impact: x", "result", "part", "x"),
    ("Customer Problem: x", "customer problem", "extra", "x"),
    ("Customer problem: x", "customer problem", "extra", "x"),
    ("Reflection:", "reflection", "extra", ""),
    ("Learnings: x", "learnings", "extra", "x"),
    ("Do Differently: x", "do differently", "extra", "x"),
    ("What I would do differently: x", "do differently", "extra", "x"),
    ("5 Whys:", "5 whys", "extra", ""),
    ("**Value:** x", "value", "extra", "x"),
    ("**At:** Acme", "at", "extra", "Acme"),
    ("**Project:** AB1. Title", "project", "project", "AB1. Title"),
    ("**Principle:** Dive Deep", "principle", "principle", "Dive Deep"),
    ("Principle:: Frugality", "principle", "principle", "Frugality"),
]


@pytest.mark.parametrize(("line", "name", "kind", "rest"), LABELS)
def test_label_forms(line: str, name: str, kind: str, rest: str) -> None:
    label = READER.read(line)
    assert label is not None, line
    assert (label.name, label.kind, label.rest) == (name, kind, rest)


@pytest.mark.parametrize("line", [
    "S: Situation, T: Task, A: Action, R: Result",  # a legend, not a story
    "A new deploy system was being created.",
    "Situation room was booked",
    "The situation: bad",
    "At the time I was new",
    "Results were great",
    "More Management based story:",
    "Disagree: used numbers",
    "Actionable: yes",
    "**Situational** awareness",
])
def test_not_labels(line: str) -> None:
    assert READER.read(line) is None


@pytest.mark.parametrize(("text", "name"), [("Situation", "situation"), ("Result:", "result"), ("Tasks", "task")])
def test_heading_labels(text: str, name: str) -> None:
    label = READER.read(text, heading=True)
    assert label is not None and label.name == name


def test_single_letter_is_never_a_heading_label() -> None:
    assert READER.read("S", heading=True) is None


def test_configured_labels_map_onto_star() -> None:
    reader = LabelReader({"Challenge": "situation"})
    assert reader.read("Challenge: x").name == "situation"
    assert READER.read("Challenge: x") is None
