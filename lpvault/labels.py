"""Recognising a STAR label in one line of text.

Every form the seeds use and the common ones they do not: `**Situation**: x`,
`**Situation:**`, `Situation: x`, `SITUATION:`, `Actions:`, `- S - x`, `S : x`,
`### Situation`; other schemes (Context/Goal/Approach/Outcome) map onto STAR.
The regular expression only ever looks at one line of one block.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, NamedTuple

# label as written (lower case) -> canonical part; configurable via `labels`.
DEFAULT_LABELS: dict[str, str] = {
    "situation": "situation", "situations": "situation", "context": "situation", "background": "situation",
    "task": "task", "tasks": "task", "goal": "task", "goals": "task", "objective": "task", "objectives": "task",
    "action": "action", "actions": "action", "approach": "action", "behavior": "action", "behaviour": "action",
    "result": "result", "results": "result", "outcome": "result", "outcomes": "result", "impact": "result",
}
# Extras are kept on the story but never decide its status.
EXTRA_LABELS: dict[str, str] = {
    "customer problem": "customer problem", "reflection": "reflection", "reflections": "reflection",
    "learning": "learnings", "learnings": "learnings", "lesson learned": "learnings", "lessons learned": "learnings",
    "do differently": "do differently", "what i would do differently": "do differently",
    "5 whys": "5 whys", "five whys": "5 whys", "value": "value", "at": "at",
}
# Labels that are not parts: a story title line and a story-level principle field.
SPECIAL_LABELS = {"project": "project", "principle": "principle", "principles": "principle", "lp": "principle"}
LETTERS = {"s": "situation", "t": "task", "a": "action", "r": "result"}
_SPELLINGS_KEPT = 1024
_LEGEND = re.compile(r"\b[STAR]\s*[:=-]\s*(?:situation|task|action|result)\b", re.I)


class Label(NamedTuple):
    """A label found at the start of a line (a named tuple: one is made for every
    label line, and a frozen dataclass costs several times as much to make)."""

    name: str  # canonical: a STAR part, an extra, 'project' or 'principle'
    kind: str  # 'part', 'extra', 'project', 'principle'
    written: str
    rest: str  # the text after the label on the same line
    field: bool = False  # Dataview `Key:: value`


class LabelReader:
    """Reads labels with one vocabulary (the defaults merged with config)."""

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        self.parts = {**DEFAULT_LABELS, **{k.lower(): v for k, v in (labels or {}).items()}}
        self.names = {**self.parts, **EXTRA_LABELS, **SPECIAL_LABELS, **LETTERS}
        self.pattern = _compile(tuple(sorted(self.names, key=len, reverse=True)))
        self._spellings: dict[str, tuple[str, str, str, str]] = {}  # label as written -> key, name, kind, itself

    def read(self, line: str, *, heading: bool = False) -> Label | None:
        """The label that starts `line`, or None (prose, legends, unknown words)."""
        match = self.pattern.match(line)
        if match is None or self.is_legend(line):
            return None
        emphasis, written, c1, c2, rest = match.groups()
        found = self._spellings.get(written)
        if found is None:
            found = self._spelling(written)
        key, name, kind, written = found  # one string for all labels written alike (Part.label: kept per part)
        separator = c1 or c2
        rest = rest.strip()
        if not self._accepts(key, separator, bool(emphasis), rest, heading):
            return None
        return Label(name, kind, written, rest, bool(separator) and separator.startswith("::"))

    def _spelling(self, written: str) -> tuple[str, str, str, str]:
        """(key, name, kind, written) of a label as written, remembered: labels are written alike."""
        if len(self._spellings) >= _SPELLINGS_KEPT:
            self._spellings.clear()
        key = " ".join(written.lower().replace("’", "'").split())
        found = self._spellings[written] = (key, *self._classify(key), written)
        return found

    @staticmethod
    def is_legend(line: str) -> bool:
        """`S: Situation, T: Task, ...`: explains the letters, tells no story."""
        if line.count(":") + line.count("=") + line.count("-") < 2:
            return False  # two matches need two separators
        if line.isascii():  # the part names must occur twice (ASCII: no other case folds)
            lower = line.lower()
            if lower.count("situation") + lower.count("task") + lower.count("action") + lower.count("result") < 2:
                return False
        return len(_LEGEND.findall(line)) >= 2

    def _accepts(self, key: str, separator: str | None, emphasis: bool, rest: str, heading: bool) -> bool:
        if key in LETTERS:
            return bool(separator) and not heading
        if separator:
            return True
        return heading and not rest or emphasis and not rest

    def _classify(self, key: str) -> tuple[str, str]:
        if key in LETTERS:
            return LETTERS[key], "part"
        if key in self.parts:
            return self.parts[key], "part"
        if key in SPECIAL_LABELS:
            return SPECIAL_LABELS[key], SPECIAL_LABELS[key]
        return EXTRA_LABELS[key], "extra"


@lru_cache(maxsize=8)
def _compile(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+").replace("'", "['’]") for n in names)
    # Possessive `[ \t]*+`: no part after a run of blanks starts with a blank, so
    # giving blanks back never helps a match; without it a line of 10,000 spaces
    # backtracks quadratically (seconds per line).
    return re.compile(
        r"^[ \t]*+(?P<em>\*\*\*|\*\*|\*|___|__|_)?[ \t]*+"
        rf"(?P<name>{alternatives})(?![^\W_]|['’])[ \t]*+"
        r"(?P<c1>::?)?[ \t]*+(?(em)(?P=em))[ \t]*+"
        r"(?P<c2>::?|[-–—](?=[ \t]|$))?[ \t]*+(?P<rest>.*)$",
        re.I | re.S,
    )

