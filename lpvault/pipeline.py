"""The one pipeline shared by the CLI, the pre-commit hook and the watcher:
scan -> read -> parse -> stories -> Vault -> (lint | index) -> render -> write.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from lpvault.assign import NoteSources
from lpvault.config import Config
from lpvault.labels import LabelReader
from lpvault.model import Note, Problem, Story
from lpvault.parse import parse_note
from lpvault.principles import Catalog, build_catalog
from lpvault.scan import NoteFile, scan_vault
from lpvault.stories import StoryOptions, extract_stories
from lpvault.vault import Vault


@dataclass(frozen=True)
class Analysis:
    """One note's parse result and its stories: the unit the cache and the watcher keep."""

    note: Note
    stories: tuple[Story, ...]


class Analyzer:
    """Turns one file's bytes into an Analysis under one configuration."""

    def __init__(self, config: Config, catalog: Catalog) -> None:
        self.config, self.catalog = config, catalog
        self.reader = LabelReader(config.labels)
        placeholders = frozenset(p.lower() for p in config.placeholders)
        self.options = StoryOptions(placeholders, config.required_parts)

    def analyse(self, path: str, data: bytes | None, problem: Problem | None = None) -> Analysis:
        """Parse a note and extract its stories; `data` None means it could not be read."""
        if data is None:
            name = path.rsplit("/", 1)[-1]
            return Analysis(Note(path=path, title=name[:-3], problems=(problem,) if problem else ()), ())
        note = parse_note(path, data)
        sources = NoteSources(note, self.catalog)
        stories = extract_stories(note, reader=self.reader, options=self.options, sources=sources)
        return Analysis(note, tuple(stories))


def make_catalog(config: Config) -> Catalog:
    """The principle catalog the configuration asks for."""
    return build_catalog(preset=config.principles_preset, extra=config.principles)


def read_bytes(root: Path, note: NoteFile, config: Config) -> tuple[bytes | None, Problem | None]:
    """A note's bytes, or the reason it cannot be read (never raises)."""
    if note.size > config.max_file_size:
        limit = config.max_file_size
        return None, Problem("unreadable-file", 1, 1, f"skipped: {note.size} bytes is over the size limit of {limit}")
    try:
        with open(root / note.path, "rb") as handle:
            data = handle.read(config.max_file_size + 1)
    except FileNotFoundError:
        return None, Problem("unreadable-file", 1, 1, "the file vanished while it was being read")
    except OSError as error:
        return None, Problem("unreadable-file", 1, 1, f"cannot read: {error.strerror or error}")
    if len(data) > config.max_file_size:
        return None, Problem("unreadable-file", 1, 1, f"skipped: over the size limit of {config.max_file_size} bytes")
    return data, None


def analyse_files(root: Path, files: Iterable[NoteFile], analyzer: Analyzer,
                  progress: Callable[[int], None] | None = None) -> dict[str, Analysis]:
    """Read and analyse every file; `progress` is told how many are done."""
    results: dict[str, Analysis] = {}
    for count, note_file in enumerate(files, 1):
        data, problem = read_bytes(root, note_file, analyzer.config)
        results[note_file.path] = analyzer.analyse(note_file.path, data, problem)
        if progress is not None:
            progress(count)
    return results


def assemble(config: Config, catalog: Catalog, analyses: dict[str, Analysis], others: Iterable[str] = (),
             output_paths: Iterable[str] = ()) -> Vault:
    """The Vault made of per-note analyses (in path order)."""
    paths = sorted(analyses)
    notes = {p: analyses[p].note for p in paths}
    stories = tuple(s for p in paths for s in analyses[p].stories)
    return Vault(config, catalog, notes, stories, tuple(others), frozenset(output_paths))


def load_vault(root: Path, config: Config, *, progress: Callable[[int, int], None] | None = None) -> Vault:
    """Scan, read and analyse the whole vault."""
    scan = scan_vault(root, config)
    catalog = make_catalog(config)
    analyzer = Analyzer(config, catalog)
    total = len(scan.notes)
    tick = (lambda done: progress(done, total)) if progress else None
    analyses = analyse_files(root, scan.notes, analyzer, tick)
    return assemble(config, catalog, analyses, scan.others, existing_outputs(root, config))


def existing_outputs(root: Path, config: Config) -> list[str]:
    """Vault-relative paths of the notes already in the output folder."""
    folder = root / config.output
    if not folder.is_dir():
        return []
    return sorted(f"{config.output.strip('/')}/{p.name}" for p in folder.glob("*.md") if p.is_file())


@dataclass
class IndexResult:
    """What `index` did (or, with check, would do)."""

    vault: Vault
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    refused: list[str]
    stale: list[str]

    def summary(self, seconds: float) -> str:
        """One line: notes, stories per status, index notes written, time."""
        counts = {s: 0 for s in ("complete", "partial", "blank", "unstructured")}
        for entry in self.vault.bank:
            counts[entry.story.status.value] += 1
        statuses = ", ".join(f"{n} {s}" for s, n in counts.items())
        changed = len(self.written) + len(self.removed)
        return (f"{len(self.vault.notes)} notes, {len(self.vault.bank)} stories ({statuses}); "
                f"{changed} index notes written, {len(self.unchanged)} unchanged; {seconds:.2f}s")


def render_pages(root: Path, vault: Vault) -> dict[str, str]:
    """Output path -> text of every index note."""
    from lpvault.index import build_pages
    from lpvault.lint import lint_summary
    from lpvault.render import make_environment, render

    override = root / vault.config.templates_dir if vault.config.templates_dir else None
    env = make_environment(override)
    pages = build_pages(vault, lint_summary(vault))
    return {page.path: render(env, page.template, page.context) for page in pages}


INDEX_LOCK_WAIT = 30.0  # seconds `index` waits for another `index` to finish writing


def run_index(root: Path, config: Config, *, check: bool = False,
              progress: Callable[[int, int], None] | None = None) -> IndexResult:
    """Index the vault: render every index note, then write (or, with check, compare)."""
    from lpvault.lock import VaultLock
    from lpvault.write import stale_outputs, write_outputs

    vault = load_vault(root, config, progress=progress)
    outputs = render_pages(root, vault)  # every template renders before anything is written
    if check:
        return IndexResult(vault, [], [], [], [], stale_outputs(root, outputs, config.output))
    with VaultLock(root, purpose="index", wait=INDEX_LOCK_WAIT):  # never interleave with another writer
        report = write_outputs(root, outputs, config.output)
    return IndexResult(vault, report.written, report.unchanged, report.removed, report.refused, [])


def page_renderer(root: Path, config: Config) -> Callable[[Vault], dict[str, str]]:
    """`render_pages` for repeated use (`watch`): the template environment, and with it the
    compiled templates, is kept between calls (compiling costs tens of milliseconds; Jinja
    reloads a template whose file changed)."""
    from lpvault.index import build_pages
    from lpvault.lint import lint_summary
    from lpvault.render import make_environment, render

    env = make_environment(root / config.templates_dir if config.templates_dir else None)

    def render_all(vault: Vault) -> dict[str, str]:
        pages = build_pages(vault, lint_summary(vault))
        return {page.path: render(env, page.template, page.context) for page in pages}

    return render_all
