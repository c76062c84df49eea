"""Run the rules over a vault: stamp code and severity, apply inline directives, sort.

Pure: a function of the Vault (and its Config), no I/O. The CLI and the hub
note (`lint_summary`) share it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Iterator, Mapping, Sequence

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


# -- across watch cycles ------------------------------------------------------------

_CROSS_NOTE = frozenset({"broken-link"})  # note-scope rules that also read other notes (through links)


class LintMemo:
    """`lint_summary` for a vault that changes a few notes at a time (`watch`).

    Note and story rules depend only on the note, its stories and the settings,
    so their findings are kept per note and worked out again only for a note
    whose Note or Story objects were replaced. broken-link also reads the link
    resolver (the set of paths) and the headings and block ids of the notes
    linked to: all notes are checked again when the set of files changes, else
    the changed notes and the notes whose `#subpath` links open a changed note
    whose headings or block ids changed. Vault rules run every time (they are
    cheap). The counts are those of `lint_summary(vault)`."""

    def __init__(self) -> None:
        self._settings: tuple[Any, ...] | None = None
        self._files: tuple[Any, ...] | None = None
        self._local: dict[str, tuple[Note, list[Story], list[Finding]]] = {}
        self._links: dict[str, tuple[Note, list[Finding], frozenset[str]]] = {}
        self._targets: dict[str, tuple[Any, ...]] = {}

    def summary(self, vault: Vault) -> dict[str, int]:
        """Finding counts by rule code, as `lint_summary` gives them."""
        return dict(sorted(Counter(f.code for f in self._collect(vault)).items()))

    def findings(self, vault: Vault) -> list[Finding]:
        """What `lint(vault)` returns, in the same order."""
        return sorted(self._collect(vault))

    def _collect(self, vault: Vault) -> list[Finding]:
        from lpvault.links import link_resolver

        active = active_rules(vault)
        settings = (vault.config, vault.catalog, tuple(active))
        if settings != self._settings:
            self._settings, self._files = settings, None
            self._local, self._links, self._targets = {}, {}, {}
        local = [a for a in active if a.rule.scope != "vault" and a.rule.name not in _CROSS_NOTE]
        cross = [a for a in active if a.rule.scope != "vault" and a.rule.name in _CROSS_NOTE]
        stories = _stories_by_note(vault.stories)
        files = (frozenset(vault.notes), vault.output_paths, vault.others)
        recheck_all = files != self._files
        self._files = files
        for gone in set(self._local) - set(vault.notes):
            del self._local[gone]
        changed: list[str] = []
        for path, note in vault.notes.items():
            told = stories.get(path, [])
            kept = self._local.get(path)
            if kept is not None and kept[0] is note and _same(kept[1], told):
                continue
            changed.append(path)
            found = [f for a in local for f in _run(a, vault, stories, (path,))]
            self._local[path] = (note, told, list(_apply_directives(sorted(found), vault.notes)))
        if cross:
            resolver = link_resolver(vault)
            recheck = set(vault.notes) if recheck_all else set(changed)
            if not recheck_all:
                moved = {p for p in changed if self._targets.get(p) != _target(vault.notes[p])}
                if moved:
                    recheck.update(p for p, kept in self._links.items() if not moved.isdisjoint(kept[2]))
            else:
                self._links, self._targets = {}, {}
            for path in recheck:
                note = vault.notes[path]
                found = [f for a in cross for f in _run(a, vault, stories, (path,))]
                dests = frozenset(resolver.resolve(link.target, path) for link in note.links if link.subpath)
                self._links[path] = (note, list(_apply_directives(sorted(found), vault.notes)), dests)
            for path in changed if not recheck_all else vault.notes:
                self._targets[path] = _target(vault.notes[path])
        found = [f for a in active if a.rule.scope == "vault" for f in _run(a, vault, stories, None)]
        result = list(_apply_directives(found, vault.notes))
        for path in vault.notes:
            result += self._local[path][2]
            if cross:
                result += self._links[path][1]
        return result


def _same(kept: list[Story], told: list[Story]) -> bool:
    return len(kept) == len(told) and all(a is b for a, b in zip(kept, told))


def _target(note: Note) -> tuple[Any, ...]:
    """What a link into `note` can see of it: headings, block ids, heading blocks (GitHub ids)."""
    return (note.headings, note.block_ids, tuple((b.line, b.text) for b in note.blocks if b.kind == "heading"))
