"""Run the rules over a vault: stamp code and severity, apply inline directives, sort.

Pure: a function of the Vault (and its Config), no I/O. The CLI and the hub
note (`lint_summary`) share it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Collection, Iterable, Iterator, Mapping, Sequence

from lpvault.findings import Finding, Hit, Severity
from lpvault.model import Directive, Note, Story
from lpvault.rules import RULES, Rule, lookup_rule, match_rules
from lpvault.vault import Vault

ALL = "*"  # a directive without codes: every rule


@dataclass(frozen=True)
class ActiveRule:
    """A rule with the severity the configuration gives it."""

    rule: Rule
    severity: Severity


def active_rules(vault: Vault, rules: Sequence[Rule] = RULES) -> list[ActiveRule]:
    """`rules` minus those configured `off`, each at its configured severity."""
    active = []
    for rule in rules:
        level = vault.config.rules.get(rule.code, rule.severity.label)
        if level != "off":
            active.append(ActiveRule(rule, Severity.parse(level)))
    return active


def choose_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> tuple[Rule, ...]:
    """The rules `--select` keeps (all when empty) minus those `--ignore` names.

    Tokens are codes, names or code prefixes (`LPV1`), comma-separated or
    repeated; an unknown token raises ValueError naming it."""
    chosen = _named(select) if _tokens(select) else set(RULES)
    dropped = _named(ignore)
    return tuple(r for r in RULES if r in chosen and r not in dropped)


def _tokens(values: Iterable[str]) -> list[str]:
    return [t for value in values for t in value.replace(" ", ",").split(",") if t]


def _named(values: Iterable[str]) -> set[Rule]:
    found: set[Rule] = set()
    for token in _tokens(values):
        rules = match_rules(token)
        if not rules:
            raise ValueError(f"unknown rule '{token}' (see `lpvault rules`)")
        found.update(rules)
    return found


def lint(vault: Vault, *, paths: Collection[str] | None = None, rules: Sequence[Rule] = RULES) -> list[Finding]:
    """Every finding of `rules` in the vault, sorted; only in `paths` when given
    (vault-relative), while links and vault rules still see the whole vault."""
    stories = _stories_by_note(vault.stories)
    found: list[Finding] = []
    for active in active_rules(vault, rules):
        found += _run(active, vault, stories, paths)
    return sorted(_apply_directives(found, vault.notes))


def lint_summary(vault: Vault) -> dict[str, int]:
    """Finding counts by rule code, for the hub note."""
    return dict(sorted(Counter(f.code for f in lint(vault)).items()))


def _stories_by_note(stories: Iterable[Story]) -> dict[str, list[Story]]:
    grouped: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        grouped[story.note].append(story)
    return grouped


def _run(active: ActiveRule, vault: Vault, stories: dict[str, list[Story]],
         paths: Collection[str] | None) -> Iterator[Finding]:
    rule = active.rule
    if rule.scope == "vault":
        located: Iterable[tuple[str, Hit]] = rule.check(vault)
    else:
        notes = vault.notes if paths is None else [p for p in paths if p in vault.notes]
        located = ((path, hit) for path in notes for hit in _note_hits(rule, vault, path, stories))
    for path, hit in located:
        if paths is None or path in paths:
            yield Finding(path, hit.line, hit.column, rule.code, rule.name, active.severity, hit.message)


def _note_hits(rule: Rule, vault: Vault, path: str, stories: dict[str, list[Story]]) -> Iterator[Hit]:
    if rule.scope == "note":
        yield from rule.check(vault.notes[path], vault)
    else:
        for story in stories.get(path, ()):
            yield from rule.check(story, vault)


# -- inline directives ------------------------------------------------------------


class Suppressions:
    """Which codes a note's `lpvault-disable/enable/disable-next-line` comments
    turn off on which line. A disable or enable takes effect from its own line;
    codes may be written as codes or names, and no code means every rule."""

    def __init__(self, directives: Iterable[Directive]) -> None:
        self.ranges = sorted((d.line, d.action, _codes(d)) for d in directives if d.action != "disable-next-line")
        self.next_line = {(d.line + 1, code) for d in directives if d.action == "disable-next-line"
                          for code in _codes(d)}

    def covers(self, line: int, code: str) -> bool:
        """True if a finding of `code` on `line` is switched off."""
        if (line, code) in self.next_line or (line, ALL) in self.next_line:
            return True
        disabled: set[str] = set()
        for start, action, codes in self.ranges:
            if start > line:
                break
            disabled = _switch(disabled, action, codes)
        return code in disabled or ALL in disabled and f"-{code}" not in disabled


def _codes(directive: Directive) -> frozenset[str]:
    """The codes a directive names (unknown names are ignored); {ALL} for none."""
    if not directive.codes:
        return frozenset({ALL})
    return frozenset(rule.code for rule in map(lookup_rule, directive.codes) if rule is not None)


def _switch(disabled: set[str], action: str, codes: frozenset[str]) -> set[str]:
    """The disabled set after one disable/enable; `-CODE` marks an exception to ALL."""
    if ALL in codes:
        return {ALL} if action == "disable" else set()
    if action == "disable":
        return (disabled | codes) - {f"-{c}" for c in codes}
    return (disabled - codes) | ({f"-{c}" for c in codes} if ALL in disabled else set())


def _apply_directives(findings: Iterable[Finding], notes: Mapping[str, Note]) -> Iterator[Finding]:
    cache: dict[str, Suppressions | None] = {}
    for finding in findings:
        if finding.path not in cache:
            note = notes.get(finding.path)
            cache[finding.path] = Suppressions(note.directives) if note is not None and note.directives else None
        suppressions = cache[finding.path]
        if suppressions is None or not suppressions.covers(finding.line, finding.code):
            yield finding
