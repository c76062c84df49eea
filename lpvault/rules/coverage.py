"""Vault rules (LPV3xx): the story bank as a whole: coverage and reuse.

A vault-level finding is reported where it can be acted on: at the first
story told under the principle; for a principle with no story at all, at the
config file (line 1) when there is one, else at the vault folder itself ('.').
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator, Sequence

from lpvault.findings import Hit, Severity
from lpvault.model import Status, Story
from lpvault.rules.base import rule
from lpvault.vault import Vault


def _config_path(vault: Vault) -> str:
    """The config file's vault-relative path ('pyproject.toml [tool.lpvault]' -> 'pyproject.toml')."""
    return vault.config.source.split(" ", 1)[0] if vault.config.source else "."


def _statuses(stories: Sequence[Story]) -> str:
    counts = Counter(s.status.value for s in stories)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


@rule("LPV302", "principle-without-story", Severity.WARNING, scope="vault")
def principle_without_story(vault: Vault) -> Iterator[tuple[str, Hit]]:
    """Principle with no complete story anywhere in the vault.

    Why: interviewers pick the principles, not you; every principle you may be
    asked about needs at least one story you can tell start to finish.
    """
    bank = vault.story_bank
    names = dict.fromkeys([p.name for p in vault.catalog.principles] + bank.told_names())
    for name in names:
        stories = bank.told(name)  # in note and line order
        if any(s.status is Status.COMPLETE for s in stories):
            continue
        if stories:
            yield stories[0].note, Hit(stories[0].line, 1, f"'{name}' has no complete story ({_statuses(stories)})")
        else:
            yield _config_path(vault), Hit(1, 1, f"'{name}' has no story yet")


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
