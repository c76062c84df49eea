"""What a `watch` cycle changed for the person preparing: stories now complete per
principle, and findings that came or went (`Think Big: 1 story now complete`,
`+1 finding (LPV102 missing-part in Stories/X.md:12)`).

Worked out from what the renderer's lint memo holds before and after a cycle: only
the notes whose findings are other list objects are compared, so a cycle that
changed one note compares one note.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from lpvault.findings import Finding

_SHOWN = 2  # new findings spelt out in the line; the rest are counted


@dataclass(frozen=True)
class Snapshot:
    """Complete stories per principle, and the findings, as one cycle left them."""

    complete: dict[str, int]
    local: dict[str, list[Finding]]
    links: dict[str, list[Finding]]
    vault_found: tuple[Finding, ...]


def capture(renderer: Any) -> Snapshot | None:
    """The state the renderer (`pipeline.page_renderer`) last rendered, or None before its first vault."""
    memo = getattr(renderer, "lint_memo", None)
    if memo is None:
        return None
    vault, local, links, vault_found = memo.snapshot()
    if vault is None:
        return None
    bank = vault.story_bank
    complete = {p.name: bank.statuses(p.name).get("complete", 0) for p in vault.catalog.principles}
    return Snapshot(complete, local, links, vault_found)


def describe(before: Snapshot | None, after: Snapshot | None) -> list[str]:
    """The changes between two snapshots, as parts of the cycle line (none for a first cycle)."""
    if before is None or after is None:
        return []
    return _stories(before, after) + _findings(before, after)


def _stories(before: Snapshot, after: Snapshot) -> list[str]:
    lines = []
    for name, count in after.complete.items():
        if before.complete.get(name, 0) != count:
            now = "no complete story now" if not count else f"{count} {'story' if count == 1 else 'stories'} now complete"
            lines.append(f"{name}: {now}")
    return lines


def _findings(before: Snapshot, after: Snapshot) -> list[str]:
    old: list[Finding] = list(before.vault_found)
    new: list[Finding] = list(after.vault_found)
    for store in ("local", "links"):
        was, now = getattr(before, store), getattr(after, store)
        get = was.get
        changed = [path for path, found in now.items() if get(path) is not found]  # one note in most cycles
        kept = len(now) - sum(1 for path in changed if path not in was)  # paths in both
        if len(was) > kept:  # some went
            changed += [path for path in was if path not in now]
        for path in changed:
            old += was.get(path, [])
            new += now.get(path, [])
    gone = Counter(map(_identity, old))
    added = []
    for finding in sorted(new):
        if gone[_identity(finding)] > 0:
            gone[_identity(finding)] -= 1
        else:
            added.append(finding)
    removed = sum(gone.values())
    parts = []
    if added:
        shown = ", ".join(f"{f.code} {f.rule} in {f.path}:{f.line}" for f in added[:_SHOWN])
        more = f", +{len(added) - _SHOWN} more" if len(added) > _SHOWN else ""
        parts.append(f"+{_count(len(added))} ({shown}{more})")
    if removed:
        parts.append(f"-{_count(removed)}")
    return parts


def _identity(finding: Finding) -> tuple[str, str, str]:
    """A finding apart from its line: an edit above it moves it, it is the same finding."""
    return finding.path, finding.code, finding.message


def _count(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"
