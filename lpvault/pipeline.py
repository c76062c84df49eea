"""The one pipeline shared by the CLI, the pre-commit hook and the watcher:
scan -> read -> parse -> stories -> Vault -> (lint | index) -> render -> write.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from lpvault.config import Config, check_output_folder
from lpvault.scan import NoteFile, ScanResult, read_note, scan_vault

if TYPE_CHECKING:  # imported where used: a run on an unchanged vault needs none of them
    from lpvault.cache import ParseCache
    from lpvault.findings import Finding
    from lpvault.model import Analysis, Block, Note, Problem, Story
    from lpvault.principles import Catalog
    from lpvault.vault import Vault

INDEX_LOCK_WAIT = 30.0  # seconds `index` waits for another `index` to finish writing


class Analyzer:
    """Turns one file's bytes into an Analysis under one configuration."""

    def __init__(self, config: Config, catalog: Catalog) -> None:
        # Imported here, not at the top: a run that parses nothing never loads mistune.
        from lpvault.labels import LabelReader
        from lpvault.lint import NoteLinter
        from lpvault.stories import StoryOptions

        self.config, self.catalog = config, catalog
        self.reader = LabelReader(config.labels)
        self.lint = NoteLinter(config, catalog)
        placeholders = frozenset(p.lower() for p in config.placeholders)
        self.options = StoryOptions(placeholders, config.required_parts)

    def analyse(self, path: str, data: bytes | None, problem: Problem | None = None) -> Analysis:
        """Parse a note and extract its stories; `data` None means it could not be read."""
        from lpvault.assign import NoteSources
        from lpvault.model import Analysis, Note
        from lpvault.parse import parse_note
        from lpvault.stories import extract_stories

        if data is None:
            name = path.rsplit("/", 1)[-1]
            note = Note(path=path, title=name[:-3], problems=(problem,) if problem else ())
            return Analysis(note, (), self.lint(note, ()))
        note = parse_note(path, data)
        sources = NoteSources(note, self.catalog)
        stories = tuple(extract_stories(note, reader=self.reader, options=self.options, sources=sources))
        note = replace(note, blocks=kept_blocks(note.blocks))
        return Analysis(note, stories, self.lint(note, stories))


_HASH_OR_TAG_LINE = re.compile(r"^[ \t]*[#<]", re.M)


def kept_blocks(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """The blocks a Note keeps once its stories are extracted: headings, and paragraphs
    with a line opening with `#` or `<` (lint's `##Heading` rule). Nothing else reads
    blocks again, and the rest is most of a note's text: dropping it halves the memory
    of a large vault and the size of its cache (per-note summaries, not a syntax tree).
    tests/test_cache.py checks that lint and index see no difference."""
    return tuple(b for b in blocks if b.kind == "heading" or b.kind == "paragraph" and _HASH_OR_TAG_LINE.search(b.text))


def make_catalog(config: Config) -> Catalog:
    """The principle catalog the configuration asks for."""
    from lpvault.principles import build_catalog

    return build_catalog(preset=config.principles_preset, extra=config.principles)


def read_bytes(root: Path, note: NoteFile, config: Config) -> tuple[bytes | None, Problem | None]:
    """A note's bytes, or the reason it cannot be read (never raises)."""
    from lpvault.model import Problem

    if note.size > config.max_file_size:
        limit = config.max_file_size
        return None, Problem("unreadable-file", 1, 1, f"skipped: {note.size} bytes is over the size limit of {limit}")
    try:
        data = read_note(root, note.path, limit=config.max_file_size)  # no FIFO, no symlink out
    except FileNotFoundError:
        return None, Problem("unreadable-file", 1, 1, "the file vanished while it was being read")
    except OSError as error:
        return None, Problem("unreadable-file", 1, 1, f"cannot read: {error.strerror or error}")
    if len(data) > config.max_file_size:
        return None, Problem("unreadable-file", 1, 1, f"skipped: over the size limit of {config.max_file_size} bytes")
    return data, None


def analyse_files(root: Path, files: Iterable[NoteFile], analyzer: Analyzer,
                  progress: Callable[[int], None] | None = None, *, cache: ParseCache | None = None,
                  jobs: int | None = None) -> dict[str, Analysis]:
    """Read and analyse every file; `progress` is told how many are done.

    With a `cache`, a note whose stamp matches is neither read nor parsed, and one
    whose bytes match is read but not parsed. `jobs` processes parse the rest (None:
    as many as there are cores when the vault is large enough to pay for them).
    Whatever the route, the result is the same, keyed by path in `files` order.
    """
    from lpvault.pool import analyse_many

    return analyse_many(root, list(files), analyzer, progress, cache=cache, jobs=jobs)


def assemble(config: Config, catalog: Catalog, analyses: dict[str, Analysis], others: Iterable[str] = (),
             output_paths: Iterable[str] = (), *, previous: Vault | None = None,
             changed: Iterable[str] | None = None) -> Vault:
    """The Vault made of per-note analyses (in path order).

    `watch` also gives `previous`, the vault of these analyses a moment ago, and
    `changed`, the paths analysed again or removed since: the notes are then those
    of `previous` with the changed ones replaced, and the new vault takes over what
    `previous` worked out that still holds (`Vault.inherit`)."""
    from lpvault.vault import Vault

    if previous is None or changed is None:
        paths = sorted(analyses)
        notes = {p: analyses[p].note for p in paths}
        told = {p: analyses[p].stories for p in paths}
        found = {p: a.findings for p, a in analyses.items() if a.findings is not None}
    else:
        changed = list(changed)
        notes, told, found = _replaced(previous, analyses, changed)
    vault = Vault(config, catalog, notes, told, tuple(others), frozenset(output_paths), found)
    if previous is not None:
        vault.inherit(previous, changed)
    return vault


def _replaced(previous: Vault, analyses: dict[str, Analysis], changed: list[str]
              ) -> tuple[dict[str, Note], dict[str, tuple[Story, ...]], dict[str, tuple[Finding, ...]]]:
    """The notes, stories and findings of `previous`, those of the `changed` paths as
    `analyses` has them."""
    notes, told, found = dict(previous.notes), dict(previous.told), dict(previous.found)
    came_or_went = False
    for path in changed:
        analysis = analyses.get(path)
        found.pop(path, None)
        if analysis is None:
            came_or_went |= notes.pop(path, None) is not None
            told.pop(path, None)
        else:
            came_or_went |= path not in notes
            notes[path], told[path] = analysis.note, analysis.stories
            if analysis.findings is not None:
                found[path] = analysis.findings
    if came_or_went:  # back to path order
        notes = {p: notes[p] for p in sorted(notes)}
        told = {p: told[p] for p in notes}
    return notes, told, found


class VaultLoader:
    """The vault scanned once, with its parse cache: tells whether anything changed
    before any parsing is paid for, and memoises results worked out from the vault."""

    def __init__(self, root: Path, config: Config, *, use_cache: bool = True) -> None:
        from lpvault.cache import ParseCache

        self.root, self.config = root, config
        self.cache = ParseCache.open(root, config) if use_cache else None  # opened first: see RACY_SECONDS
        self.scan: ScanResult = scan_vault(root, config)
        self.outputs = tuple(existing_outputs(root, config))
        self._unchanged: bool | None = None

    def unchanged(self) -> bool:
        """True when the cache vouches that no note, other file or output changed."""
        if self._unchanged is None:
            self._unchanged = self.cache is not None and self.cache.unchanged(self.scan, self.outputs)
        return self._unchanged

    def vault(self, *, progress: Callable[[int, int], None] | None = None, jobs: int | None = None) -> Vault:
        """Analyse what changed, reuse the rest, save the cache, assemble the Vault."""
        import gc

        from lpvault.cache import collector_paused

        catalog = make_catalog(self.config)
        total = len(self.scan.notes)
        tick = (lambda done: progress(done, total)) if progress else None
        with collector_paused():  # parsing and unpickling leave (almost) no cycles: see collector_paused
            try:
                analyses = analyse_files(self.root, self.scan.notes, Analyzer(self.config, catalog), tick,
                                         cache=self.cache, jobs=jobs)
            except BaseException:
                if self.cache is not None:
                    self.cache.abort()
                raise
            if self.cache is not None:
                self.cache.save(self.scan, self.outputs)
            vault = assemble(self.config, catalog, analyses, self.scan.others, self.outputs)
            # The vault lives until this one-off run ends: out of the collector's sight, lint and
            # rendering no longer pay for walking it again at every full collection (a third of
            # their time). Frozen before the collector is back on, or its first collection walks
            # everything made while it was off (a third of a second on 10,000 notes).
            gc.freeze()
        return vault

    def recall(self, name: str) -> Any | None:
        """A result memoised under `name` for the vault exactly as it is now, or None."""
        return self.cache.recall(name) if self.unchanged() else None  # type: ignore[union-attr]

    def remember(self, name: str, value: Any) -> None:
        """Memoise a result worked out from `vault()` (dropped as soon as the vault changes)."""
        if self.cache is not None:
            self.cache.remember(name, value)


def load_vault(root: Path, config: Config, *, progress: Callable[[int, int], None] | None = None,
               use_cache: bool = True, jobs: int | None = None) -> Vault:
    """Scan, read and analyse the whole vault (through the parse cache unless `use_cache` is False)."""
    return VaultLoader(root, config, use_cache=use_cache).vault(progress=progress, jobs=jobs)


def existing_outputs(root: Path, config: Config) -> list[str]:
    """Vault-relative paths of the notes already in the output folder."""
    folder = config.output.strip("/")
    try:
        entries = list(os.scandir(root / folder))
    except OSError:
        return []
    return sorted(f"{folder}/{e.name}" for e in entries if e.name.endswith(".md") and e.is_file())


Totals = tuple[int, int, tuple[tuple[str, int], ...], int]  # notes, stories, stories per status, unreadable notes


def vault_totals(vault: Vault) -> Totals:
    """What the summary line counts: notes, distinct stories, stories per status, notes not read."""
    counts = {s: 0 for s in ("complete", "partial", "blank", "unstructured")}
    for entry in vault.bank:
        counts[entry.story.status.value] += 1
    unreadable = sum(1 for note in vault.notes.values() if any(p.rule == "unreadable-file" for p in note.problems))
    return len(vault.notes), len(vault.bank), tuple(counts.items()), unreadable


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 note`, `2 notes` (`many` for an irregular plural)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


@dataclass
class IndexResult:
    """What `index` did (or, with check, would do); `vault` is None when the cache
    showed that nothing changed and nothing was rendered."""

    vault: Vault | None
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    refused: list[str]
    stale: list[str]
    totals: Totals | None = None

    def summary(self, seconds: float) -> str:
        """One line: notes, stories per status (and where to see what to finish), index notes
        written, time."""
        notes, stories, counts, _ = self.totals or vault_totals(self.vault)  # type: ignore[arg-type]
        statuses = ", ".join(f"{n} {s}" for s, n in counts)
        unfinished = sum(n for s, n in counts if s in ("partial", "blank"))
        finish = f"; lpvault lint lists the {unfinished} to finish" if unfinished else ""
        changed = len(self.written) + len(self.removed)
        return (f"{plural(notes, 'note')}, {plural(stories, 'story', 'stories')} ({statuses}{finish}); "
                f"{plural(changed, 'index note')} written, {len(self.unchanged)} unchanged; {seconds:.2f}s")

    def unreadable(self) -> str | None:
        """`2 notes could not be read (see lpvault lint)`, or None when every note was read."""
        count = (self.totals or vault_totals(self.vault))[3]  # type: ignore[arg-type]
        if not count:
            return None
        return f"{plural(count, 'note')} could not be read (see lpvault lint)"


def render_pages(root: Path, vault: Vault) -> dict[str, str]:
    """Output path -> text of every index note."""
    from lpvault.index import iter_pages
    from lpvault.lint import lint_counts
    from lpvault.render import make_environment, render

    override = root / vault.config.templates_dir if vault.config.templates_dir else None
    env = make_environment(override)
    by_code, by_note = lint_counts(vault)
    pages = iter_pages(vault, by_code, lint_notes=by_note)  # each page rendered, then its context dropped
    return {page.path: render(env, page.template, page.context) for page in pages}


def run_index(root: Path, config: Config, *, check: bool = False,
              progress: Callable[[int, int], None] | None = None, use_cache: bool = True,
              jobs: int | None = None) -> IndexResult:
    """Index the vault: render every index note, then write (or, with check, compare).

    When the cache shows that no note, template or setting changed and the index
    notes on disk are still the ones last written, nothing is parsed or rendered.
    Raises OutputBlocked, before any work, when a file stands where the output folder goes."""
    check_output_folder(root, config)
    loader = VaultLoader(root, config, use_cache=use_cache)
    fresh = _fresh_index(loader)
    if fresh is not None:
        return fresh
    vault = loader.vault(progress=progress, jobs=jobs)
    outputs = render_pages(root, vault)  # every template renders before anything is written
    result = _check_outputs(root, vault, outputs) if check else _write_index(root, vault, outputs)
    _remember_index(loader, outputs, result)
    return result


def _check_outputs(root: Path, vault: Vault, outputs: dict[str, str]) -> IndexResult:
    from lpvault.write import stale_outputs

    return IndexResult(vault, [], [], [], [], stale_outputs(root, outputs, vault.config.output), vault_totals(vault))


def _write_index(root: Path, vault: Vault, outputs: dict[str, str]) -> IndexResult:
    from lpvault.lock import VaultLock
    from lpvault.write import write_outputs

    with VaultLock(root, purpose="index", wait=INDEX_LOCK_WAIT):  # never interleave with another writer
        report = write_outputs(root, outputs, vault.config.output)
    return IndexResult(vault, report.written, report.unchanged, report.removed, report.refused, [],
                       vault_totals(vault))


def _fresh_index(loader: VaultLoader) -> IndexResult | None:
    """The result of an index run that would change nothing, told by the cache alone."""
    from lpvault.freshness import MEMO_NAME, folder_matches, templates_stamp

    record = loader.recall(MEMO_NAME)
    if record is None or record.templates != templates_stamp(loader.root, loader.config):
        return None
    if not folder_matches(loader.root, loader.config, record):
        return None
    return IndexResult(None, [], list(record.outputs), [], [], [], record.totals)


def _remember_index(loader: VaultLoader, outputs: dict[str, str], result: IndexResult) -> None:
    """Memoise the index when it is on disk exactly as rendered and the output folder
    lists the same notes the vault was read with (links may resolve to them)."""
    from lpvault.freshness import MEMO_NAME, make_record

    if loader.cache is None or result.refused or result.stale:
        return
    if tuple(existing_outputs(loader.root, loader.config)) != loader.outputs:
        return  # the first run: index notes appeared, so the next run reads a different vault
    record = make_record(loader.root, loader.config, outputs, result.totals)  # type: ignore[arg-type]
    if record is not None:
        loader.remember(MEMO_NAME, record)


def page_renderer(root: Path, config: Config) -> Callable[[Vault], dict[str, str]]:
    """`render_pages` for repeated use (`watch`), each call doing only what the changes
    since the last call ask for: the template environment, and with it the compiled
    templates, is kept (Jinja reloads a template whose file changed); lint findings are
    kept per note (`LintMemo`), page contexts per principle (`PageMemo`), and a page
    whose context equals the last one keeps its text without being rendered again."""
    from lpvault.index import PageMemo, build_pages
    from lpvault.lint import LintMemo
    from lpvault.render import make_environment, render

    env = make_environment(root / config.templates_dir if config.templates_dir else None)
    lint_memo, page_memo = LintMemo(), PageMemo()
    texts: dict[str, tuple[str, Any, str]] = {}  # path -> (template, context, text) of the last call

    def render_all(vault: Vault) -> dict[str, str]:
        by_code, by_note = lint_memo.counts(vault)
        pages = build_pages(vault, by_code, page_memo, lint_notes=by_note)
        for page in pages:
            kept = texts.get(page.path)
            if kept is None or kept[0] != page.template or kept[1] is not page.context and kept[1] != page.context:
                texts[page.path] = (page.template, page.context, render(env, page.template, page.context))
        for gone in texts.keys() - {page.path for page in pages}:
            del texts[gone]
        return {page.path: texts[page.path][2] for page in pages}

    render_all.lint_memo = lint_memo  # type: ignore[attr-defined]  # what watch's cycle line compares
    return render_all
