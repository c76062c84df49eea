"""Vault rules (LPV3xx): the story bank as a whole: coverage and reuse.

A vault-level finding is reported where it can be acted on. principle-without-story
is one finding for the whole vault, listing every principle without a complete
story, at line 1 of the config file when there is one, else of the hub note (the
page that lists the gaps); it says nothing in a vault that holds no story at all
(a general vault, or one just started). story-reused is at the story's first
occurrence.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator, Sequence

from lpvault.config import HUB_NOTE
from lpvault.findings import Hit, Severity
from lpvault.model import Status, Story
from lpvault.rules.base import rule
from lpvault.vault import Vault


def coverage_path(vault: Vault) -> str:
    """Where the vault-wide coverage finding goes: the config file ('pyproject.toml
    [tool.lpvault]' -> 'pyproject.toml'), else the hub note."""
    if vault.config.source:
        return vault.config.source.split(" ", 1)[0]
    return f"{vault.config.output.strip('/')}/{HUB_NOTE}.md"


def _statuses(stories: Sequence[Story]) -> str:
    counts = Counter(s.status.value for s in stories)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


@rule("LPV302", "principle-without-story", Severity.WARNING, scope="vault")
def principle_without_story(vault: Vault) -> Iterator[tuple[str, Hit]]:
    """Principle with no complete story anywhere in the vault (one finding listing them all).

    Why: interviewers pick the principles, not you; every principle you may be
    asked about needs at least one story you can tell start to finish. Reported
    once, at line 1 of the config file or of the hub note, and not at all while
    the vault holds no story.
    """
    bank = vault.story_bank
    if not bank.entries:
        return
    names = list(dict.fromkeys([p.name for p in vault.catalog.principles] + bank.told_names()))
    gaps = []
    for name in names:
        stories = bank.told(name)  # in note and line order
        if not any(s.status is Status.COMPLETE for s in stories):
            gaps.append(f"'{name}' ({_statuses(stories)})" if stories else f"'{name}'")  # names hold commas
    if gaps:
        count = f"{len(gaps)} of {len(names)} principles have" if len(gaps) > 1 else f"1 of {len(names)} principles has"
        yield coverage_path(vault), Hit(1, 1, f"{count} no complete story: {', '.join(gaps)}")


@rule("LPV303", "story-reused", Severity.INFO, scope="vault")
def story_reused(vault: Vault) -> Iterator[tuple[str, Hit]]:
    """Story reused under more than `reuse_limit` principles (3 by default).

    Why: one strong story can serve two or three principles, but an interview
    loop asks about several; lean on one story too hard and the interviewers
    hear it twice.
    """
    limit = vault.config.reuse_limit
    for entry in vault.story_bank.reused:
        if len(entry.principles) > limit:
            story = entry.story
            yield story.note, Hit(story.line, 1, f"story '{story.title}' serves {len(entry.principles)} principles "
                                                 f"(limit {limit}): {', '.join(entry.principles)}")
