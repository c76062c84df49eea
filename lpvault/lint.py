"""Run the rules over a vault: stamp code and severity, apply inline directives, sort.

Pure: a function of the Vault (and its Config), no I/O. The CLI and the hub
note (`lint_summary`) share it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Iterator, Mapping, Sequence

from lpvault.config import Config
from lpvault.findings import Finding, Hit, Severity
from lpvault.model import Directive, Note, Story
from lpvault.principles import Catalog
from lpvault.rules import RULES, Rule, lookup_rule, match_rules
from lpvault.vault import Vault

ALL = "*"  # a directive without codes: every rule
_CROSS_NOTE = frozenset({"broken-link"})  # note-scope rules that also read other notes (through links)


@dataclass(frozen=True)
class ActiveRule:
    """A rule with the severity the configuration gives it."""

    rule: Rule
    severity: Severity


def active_rules(vault: Vault, rules: Sequence[Rule] = RULES) -> list[ActiveRule]:
    """`rules` minus those configured `off`, each at its configured severity."""
    return _configured(vault.config, rules)


def _configured(config: Config, rules: Sequence[Rule]) -> list[ActiveRule]:
    active = []
    for rule in rules:
        level = config.rules.get(rule.code, rule.severity.label)
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
    active = active_rules(vault, rules)
    local = [a for a in active if is_local(a.rule)]
    found = list(_apply_directives((f for a in active if not is_local(a.rule) for f in _run(a, vault, paths)),
                                   vault.notes))
    for path in vault.notes if paths is None else [p for p in paths if p in vault.notes]:
        found += local_findings(vault, path, local)
    return sorted(found)


def lint_summary(vault: Vault) -> dict[str, int]:
    """Finding counts by rule code, for the hub note: `lint(vault)` counted as the
    findings stream by, never all held at once (tens of thousands on a large vault)."""
    return lint_counts(vault)[0]


def lint_counts(vault: Vault) -> tuple[dict[str, int], dict[str, int]]:
    """`lint_summary`, and the finding counts by note path (the hub links the notes with most)."""
    active = active_rules(vault)
    local = [a for a in active if is_local(a.rule)]
    found = (f for a in active if not is_local(a.rule) for f in _run(a, vault, None))
    counts: Counter[str] = Counter()
    by_note: Counter[str] = Counter()
    for finding in _apply_directives(found, vault.notes):
        counts[finding.code] += 1
        by_note[finding.path] += 1
    for path in vault.notes:
        here = local_findings(vault, path, local)
        counts.update(f.code for f in here)
        if here:
            by_note[path] += len(here)
    return dict(sorted(counts.items())), dict(by_note)


def is_local(rule: Rule) -> bool:
    """A note or story rule that reads nothing but the note, its stories and the settings."""
    return rule.scope != "vault" and rule.name not in _CROSS_NOTE


def local_findings(vault: Vault, path: str, local: Sequence[ActiveRule]) -> list[Finding]:
    """The findings of the `local` rules in one note, sorted, directives applied: those its
    analysis worked out (`Vault.found`, every active rule's) when it did."""
    kept = vault.found.get(path)
    if kept is None:
        return _findings_in(vault, path, local)
    codes = {a.rule.code for a in local}
    return [f for f in kept if f.code in codes]


def _findings_in(vault: Vault, path: str, rules: Sequence[ActiveRule]) -> list[Finding]:
    """The findings of `rules` in one note of `vault`, sorted, directives applied."""
    return list(_apply_directives(sorted(f for a in rules for f in _run(a, vault, (path,))), vault.notes))


class NoteLinter:
    """The findings of every active local rule in one note, as `local_findings` gives them:
    worked out with the note's analysis (on every core in a cold run, kept in the parse
    cache), so a run after an edit lints only the notes that changed, links and vault rules."""

    def __init__(self, config: Config, catalog: Catalog) -> None:
        self.config, self.catalog = config, catalog
        self.local = [a for a in _configured(config, RULES) if is_local(a.rule)]  # chosen once, not per note

    def __call__(self, note: Note, stories: tuple[Story, ...]) -> tuple[Finding, ...]:
        alone = Vault(self.config, self.catalog, {note.path: note}, {note.path: stories})
        return tuple(_findings_in(alone, note.path, self.local))


def _run(active: ActiveRule, vault: Vault, paths: Collection[str] | None) -> Iterator[Finding]:
    rule = active.rule
    if rule.scope == "vault":
        located: Iterable[tuple[str, Hit]] = rule.check(vault)
    else:
        notes = vault.notes if paths is None else [p for p in paths if p in vault.notes]
        located = ((path, hit) for path in notes for hit in _note_hits(rule, vault, path))
    for path, hit in located:
        if paths is None or path in paths:
            yield Finding(path, hit.line, hit.column, rule.code, rule.name, active.severity, hit.message)


def _note_hits(rule: Rule, vault: Vault, path: str) -> Iterator[Hit]:
    if rule.scope == "note":
        yield from rule.check(vault.notes[path], vault)
    else:
        for story in vault.told[path]:
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


class LintMemo:
    """`lint_summary` for a vault that changes a few notes at a time (`watch`).

    Note and story rules depend only on the note, its stories and the settings:
    their findings are kept per note and taken again (from the analysis, see
    `Vault.found`) for the notes that changed since the last vault (other Note or
    Story objects). broken-link also reads the link resolver (the set of files) and the headings and block ids of
    the notes linked to: it is checked again in the changed notes, in the notes
    with a link looking up the name of a file that came or went, and in those
    whose `#subpath` links lead into a changed note whose headings or block ids
    changed. Vault rules run every time: they read the story bank's lists, not
    every story. Counts are kept up to date per note."""

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, settings: tuple[Any, ...] | None) -> None:
        self._settings = settings
        self._vault: Vault | None = None
        self._local: dict[str, list[Finding]] = {}  # path -> note and story findings
        self._links: dict[str, list[Finding]] = {}  # path -> broken-link findings
        self._counts: Counter[str] = Counter()  # codes of every finding in _local and _links
        self._into: dict[str, frozenset[str]] = {}  # path -> notes its `#subpath` links open
        self._linkers: dict[str, set[str]] = defaultdict(set)  # path -> notes with `#subpath` links into it
        self._targets: dict[str, tuple[Any, ...]] = {}  # path -> what a link into it can see (`_target`)
        self._vault_found: list[Finding] = []  # the vault rules' findings in the last vault

    def summary(self, vault: Vault) -> dict[str, int]:
        """Finding counts by rule code, as `lint_summary` gives them."""
        return self.counts(vault)[0]

    def counts(self, vault: Vault) -> tuple[dict[str, int], dict[str, int]]:
        """Finding counts by rule code and by note path, as `lint_counts` gives them."""
        found = self._update(vault)
        by_note = Counter(f.path for f in found)
        for store in (self._local, self._links):
            for path, kept in store.items():
                if kept:
                    by_note[path] += len(kept)
        return dict(sorted((self._counts + Counter(f.code for f in found)).items())), dict(by_note)

    def findings(self, vault: Vault) -> list[Finding]:
        """What `lint(vault)` returns, in the same order."""
        found = self._update(vault)
        for path in vault.notes:
            found += self._local[path] + self._links.get(path, [])
        return sorted(found)

    def _update(self, vault: Vault) -> list[Finding]:
        """Bring the per-note findings up to date with `vault`; its vault-rule findings."""
        active = active_rules(vault)
        settings = (vault.config, vault.catalog, tuple(active))
        if settings != self._settings:
            self._reset(settings)
        previous = self._vault
        changed = list(vault.notes) if previous is None else vault.changes_since(previous)
        local = [a for a in active if is_local(a.rule)]
        for path in changed:
            self._keep(self._local, path, local_findings(vault, path, local) if path in vault.notes else None)
        cross = [a for a in active if a.rule.scope != "vault" and a.rule.name in _CROSS_NOTE]
        if cross:
            self._update_links(vault, cross, changed, previous)
        self._vault = vault  # only now: after an error, the next call looks at these notes again
        found = [f for a in active if a.rule.scope == "vault" for f in _run(a, vault, None)]
        self._vault_found = list(_apply_directives(found, vault.notes))
        return list(self._vault_found)

    def snapshot(self) -> tuple[Vault | None, dict[str, list[Finding]], dict[str, list[Finding]], tuple[Finding, ...]]:
        """The last vault, each note's note and story findings and link findings (one list object
        per note until it changes), and the vault rules' findings: what `watch` compares cycle to
        cycle. Shallow copies: a few milliseconds on 10,000 notes."""
        return self._vault, dict(self._local), dict(self._links), tuple(self._vault_found)

    def _update_links(self, vault: Vault, cross: list[ActiveRule], changed: list[str], previous: Vault | None) -> None:
        """broken-link findings of the notes whose links may lead elsewhere now."""
        recheck = self._relinked(vault, changed, previous)
        if recheck is None:  # the first vault, or other settings: every note
            recheck = set(vault.notes) | set(self._links)
            changed = list(recheck)
        for path in recheck:
            self._keep(self._links, path, _findings_in(vault, path, cross) if path in vault.notes else None)
            self._link_into(vault, path)
        for path in changed:
            if path in vault.notes:
                self._targets[path] = _target(vault.notes[path])
            else:
                self._targets.pop(path, None)

    def _relinked(self, vault: Vault, changed: list[str], previous: Vault | None) -> set[str] | None:
        """The changed notes, the notes whose links may open other files (files of the names
        they look up came or went) or lead into a changed note whose headings or block ids
        changed; None when every note must be looked at."""
        if previous is None:
            return None
        recheck = set(changed)
        if not previous.same_files(vault):
            from lpvault.links import touched_names

            names = touched_names(previous, vault)
            if names is None:
                return None
            recheck |= vault.lookups.looking_up(names)
        for path in changed:
            target = _target(vault.notes[path]) if path in vault.notes else None
            if self._targets.get(path) != target:
                recheck |= self._linkers.get(path, set())
        return recheck

    def _link_into(self, vault: Vault, path: str) -> None:
        """Remember which notes the `#subpath` links of `path` open (None: it is gone)."""
        for dest in self._into.pop(path, ()):
            self._linkers[dest].discard(path)
        note = vault.notes.get(path)
        if note is None:
            return
        from lpvault.links import link_resolver

        resolver = link_resolver(vault)
        into = frozenset(d for link in note.links if link.subpath for d in [resolver.resolve(link.target, path)] if d)
        for dest in into:
            self._linkers[dest].add(path)
        self._into[path] = into

    def _keep(self, store: dict[str, list[Finding]], path: str, found: list[Finding] | None) -> None:
        """Put `found` in `store` for `path` (None: drop it), keeping the counts right."""
        self._counts.subtract(f.code for f in store.pop(path, ()))
        if found is not None:
            store[path] = found
            self._counts.update(f.code for f in found)


def _target(note: Note) -> tuple[Any, ...]:
    """What a link into `note` can see of it: headings, block ids, heading blocks (GitHub ids)."""
    return (note.headings, note.block_ids, tuple((b.line, b.text) for b in note.blocks if b.kind == "heading"))
