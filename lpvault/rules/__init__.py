"""The rule registry: every rule listed once, in code order.

Codes are stable: LPV1xx story rules, LPV2xx note rules, LPV3xx link and
vault rules. A code is never reused for a different rule.
"""
from __future__ import annotations

from lpvault.rules import coverage, links, notes, stories
from lpvault.rules.base import Rule

RULES: tuple[Rule, ...] = (
    stories.blank_skeleton,
    stories.missing_part,
    stories.placeholder,
    stories.result_without_metric,
    stories.we_not_i,
    stories.story_too_long,
    stories.unstructured_story,
    notes.heading_missing_space,
    notes.unknown_principle,
    notes.invalid_front_matter,
    notes.unreadable_file,
    notes.front_matter_tags,
    links.broken_link,
    coverage.principle_without_story,
    coverage.story_reused,
)

_BY_KEY = {key: r for r in RULES for key in (r.code.upper(), r.name)}


def lookup_rule(code_or_name: str) -> Rule | None:
    """The rule with this code (any case) or kebab-case name, or None."""
    key = code_or_name.strip()
    return _BY_KEY.get(key.upper()) or _BY_KEY.get(key.lower())


def match_rules(token: str) -> tuple[Rule, ...]:
    """The rules a `--select`/`--ignore` token names: a code, a name, or a code
    prefix such as `LPV1` (every story rule). Empty when it names none."""
    found = lookup_rule(token)
    if found is not None:
        return (found,)
    prefix = token.strip().upper()
    return tuple(r for r in RULES if len(prefix) >= 3 and r.code.startswith(prefix))


__all__ = ["RULES", "Rule", "lookup_rule", "match_rules"]
