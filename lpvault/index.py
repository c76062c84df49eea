"""Vault -> {output path: (template, context)}: one note per principle and the hub.

Every link we write is checked with the same resolver Obsidian's rules give
before it is written; links are made here, the templates only lay them out.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from lpvault import obsidian
from lpvault.links import github_ids, link_resolver
from lpvault.model import BankEntry, Note, Status, Story
from lpvault.principles import Principle
from lpvault.vault import Vault
from lpvault.write import MARKER

HUB_NAME = "Leadership Principles"
_EXCERPT_CHARS = 140


@dataclass(frozen=True)
class Page:
    """One index note to render."""

    path: str
    template: str
    context: Mapping[str, Any]


def output_paths(vault: Vault) -> dict[str, str]:
    """Principle name (or the hub) -> vault-relative path of its index note."""
    folder = vault.config.output.strip("/")
    hub = obsidian.safe_file_name(HUB_NAME)
    taken = {hub.casefold()}
    names = {p.name: f"{folder}/{_unique_name(obsidian.safe_file_name(p.name), taken)}.md"
             for p in vault.catalog.principles}
    names[HUB_NAME] = f"{folder}/{hub}.md"
    return names


def _unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`... when another index note already has it
    in any letter case (`a/b` and `a-b` make one file name; macOS and Windows fold case)."""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{obsidian.safe_file_name(name, max_len=110)} ({number})"
    taken.add(candidate.casefold())
    return candidate


class PageMemo:
    """What `build_pages` worked out for one vault that still holds for the next one
    (`watch`): checked links, keyed by what they were made from and the target Note
    object, and each note's backlinks, by Note object. All of it is dropped when the
    set of files (and so what links resolve to) or the settings change."""

    def __init__(self) -> None:
        self.key: tuple[Any, ...] | None = None
        self.links: dict[tuple[Any, ...], tuple[Note | None, str]] = {}
        self.used: dict[tuple[Any, ...], tuple[Note | None, str]] = {}  # this call's links: kept for the next
        self.backlinks: dict[str, tuple[Note, frozenset[str]]] = {}
        self.rows: dict[tuple[str, int], tuple[BankEntry, dict[str, Any]]] = {}  # by principle, id(entry.story)
        self.rows_used: dict[tuple[str, int], tuple[BankEntry, dict[str, Any]]] = {}

    def check(self, vault: Vault) -> None:
        """Forget everything unless `vault` has the same files and settings as the last one."""
        key = (vault.config, vault.catalog, frozenset(vault.notes), vault.output_paths, vault.others)
        if key != self.key:
            self.key, self.links, self.backlinks, self.rows = key, {}, {}, {}
        self.used, self.rows_used = {}, {}


def build_pages(vault: Vault, lint_summary: Mapping[str, int] | None = None,
                memo: PageMemo | None = None) -> list[Page]:
    """Every index note of the vault (`memo`: reuse what an earlier call worked out)."""
    if memo is not None:
        memo.check(vault)
    writer = LinkWriter(vault, memo)
    entries = _entries_by_principle(vault)
    backlinks = _backlinks(vault, writer, memo)
    coverage = [_coverage(p, entries[p.name]) for p in vault.catalog.principles]
    pages = [Page(writer.paths[p.name], "principle.md.j2",
                  _principle_context(vault, writer, p, row, entries[p.name], backlinks[p.name]))
             for p, row in zip(vault.catalog.principles, coverage)]
    pages.append(Page(writer.paths[HUB_NAME], "hub.md.j2", _hub_context(vault, writer, coverage, lint_summary or {})))
    if memo is not None:
        memo.links, memo.used = memo.used, {}
        memo.rows, memo.rows_used = memo.rows_used, {}
    return pages


class LinkWriter:
    """Writes links in the vault's link style, each checked before it is written.

    Wikilinks are parsed back (`parse_linktext`) and resolved with the same
    resolver lint uses: the path must open the intended file and the subpath
    the intended heading, or the link falls back to the note itself.
    """

    def __init__(self, vault: Vault, memo: PageMemo | None = None) -> None:
        self.vault, self.memo = vault, memo
        self.paths = output_paths(vault)
        self.resolver = link_resolver(vault)
        self.markdown = vault.config.link_style == "markdown"

    def to_note(self, path: str, display: str, source: str, anchor: str = "", *, table: bool = False,
                line: int | None = None) -> str:
        """A link from output note `source` to `path` (and heading `anchor`) showing `display`.

        `line`, when given, is where the linked story starts: the heading the
        anchor opens must come before it. A wikilink that would not open the
        heading links the note; one that would not open the note at all (a file
        name with `# | ^ : [ ] %%`) is written as text naming the file."""
        if self.memo is None:
            return self._to_note(path, display, source, anchor, table, line)
        key = (path, display, source, anchor, table, line)
        target = self.vault.notes.get(path)
        kept = self.memo.used.get(key) or self.memo.links.get(key)
        if kept is None or kept[0] is not target:
            kept = (target, self._to_note(path, display, source, anchor, table, line))
        self.memo.used[key] = kept
        return kept[1]

    def _to_note(self, path: str, display: str, source: str, anchor: str, table: bool, line: int | None) -> str:
        if self.markdown:
            return self._markdown(path, display, source, anchor, table=table)
        for subpath in ([anchor, ""] if anchor else [""]):
            link = self._wikilink(path, display, source, subpath, table=table)
            if self._opens(link, path, source, subpath, line):
                return link
        return _unlinkable(display, path)

    def to_story(self, story: Story, source: str, *, display: str | None = None) -> str:
        """A link that opens the story's heading (or the note) in Obsidian."""
        return self.to_note(story.note, display or story.title, source, story.anchor, line=story.line)

    def to_principle(self, name: str, source: str, *, table: bool = False) -> str:
        """A link to a principle's index note, showing its name."""
        return self.to_note(self.paths[name], name, source, table=table)

    def _wikilink(self, path: str, display: str, source: str, anchor: str, *, table: bool) -> str:
        """`[[linkpath#anchor|display]]`, the linkpath as Obsidian's "shortest path" writes it."""
        linkpath = self.resolver.link_path_for(path)
        if self.resolver.resolve(linkpath, source) != path:
            linkpath = path[:-3] if path.lower().endswith(".md") else path
        target = f"{linkpath}#{anchor}" if anchor else linkpath
        display = obsidian.escape_display(plain_display(display))
        if display == target:
            return f"[[{target}]]"
        separator = "\\|" if table else "|"  # a bare | would split a table cell
        return f"[[{target}{separator}{display}]]"

    def _opens(self, link: str, path: str, source: str, anchor: str, line: int | None) -> bool:
        """True if `link`, read back as Obsidian reads it, opens `path` at the heading
        `anchor` names (at the top when `anchor` is empty)."""
        found = obsidian.find_wikilinks(link)
        if len(found) != 1 or found[0][0] != 0 or obsidian.has_link_breaking_chars(path.rsplit("/", 1)[-1]):
            return False
        linkpath, subpath, _ = obsidian.parse_linktext(found[0][1])
        if self.resolver.resolve(linkpath, source) != path:
            return False
        if not anchor:
            return subpath is None
        note = self.vault.notes.get(path)
        index = obsidian.resolve_subpath(subpath or "", note.headings) if note is not None else None
        return (index is not None and obsidian.heading_anchor(note.headings, index) == anchor
                and (line is None or note.headings[index].line <= line))

    def _markdown(self, path: str, display: str, source: str, anchor: str, *, table: bool) -> str:
        """`[display](relative/path.md#github-slug)`, for GitHub, Jekyll and Hugo readers."""
        note = self.vault.notes.get(path)
        fragment = heading_slug(note, anchor) if note is not None and anchor else None
        return _markdown_link(path, display, source, fragment, table=table)


def _unlinkable(display: str, path: str) -> str:
    """Text naming a file that no wikilink can open: the display and the path in code."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", path)), default=0) + 1)
    label = " ".join(plain_display(display).split()).replace("[[", "[ [").replace("%%", "% %")
    return f"{label} (in {ticks} {path} {ticks}: rename it without # | ^ : [ ] to link it)"


def _markdown_link(path: str, display: str, source: str, fragment: str | None, *, table: bool = False) -> str:
    """A CommonMark link from `source` to `path`, the path relative and percent-encoded."""
    label = re.sub(r"([\\\[\]])", r"\\\1", " ".join(plain_display(display).split()))
    if table:
        label = label.replace("|", "\\|")
    hash_part = "#" + obsidian.encode_md_path(fragment) if fragment else ""
    return f"[{label}]({obsidian.encode_md_path(_relative(path, source))}{hash_part})"


_WIKILINK_TEXT = re.compile(r"!?\[\[(?:[^\[\]|\n]*\|)?([^\[\]|\n]*)\]\]")
_MD_LINK_TEXT = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain_display(text: str) -> str:
    """Heading text as a link's display: `[[a|b]]` shows `b`, `[t](url)` shows `t`,
    `\\#` shows `#`; emphasis is left as written."""
    text = _WIKILINK_TEXT.sub(r"\1", text)
    return _BACKSLASH_ESCAPE.sub(r"\1", _MD_LINK_TEXT.sub(r"\1", text))


def heading_slug(note: Note, anchor: str) -> str | None:
    """The id GitHub gives the heading that `#anchor` opens in Obsidian, or None."""
    index = obsidian.resolve_subpath(anchor, note.headings)
    if index is None:
        return None
    wanted = note.headings[index].line
    return next((slug for line, slug in github_ids(note) if line == wanted), None)


def _relative(path: str, source: str) -> str:
    """`path` relative to the folder of `source` (both vault-relative)."""
    source_dir = source.split("/")[:-1]
    target = path.split("/")
    common = 0
    while common < min(len(source_dir), len(target) - 1) and source_dir[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(source_dir) - common) + target[common:])


# -- principle notes -----------------------------------------------------------------


def _entries_by_principle(vault: Vault) -> dict[str, list[BankEntry]]:
    """The bank's entries under each principle, in one pass."""
    grouped: dict[str, list[BankEntry]] = {p.name: [] for p in vault.catalog.principles}
    for entry in vault.bank:
        for name in entry.principles:
            grouped.setdefault(name, []).append(entry)
    return grouped


def _coverage(principle: Principle, entries: list[BankEntry]) -> dict[str, Any]:
    counts = Counter(e.story.status.value for e in entries)
    return {"name": principle.name, "stories": len(entries), **{s.value: counts.get(s.value, 0) for s in Status}}


def _story_row(vault: Vault, writer: LinkWriter, entry: BankEntry, principle: str, source: str) -> dict[str, Any]:
    story = entry.occurrence_for(principle)
    missing = [p for p in vault.config.required_parts if p not in story.filled]
    others = [writer.to_principle(n, source) for n in entry.principles if n != principle]
    return {
        "link": writer.to_story(story, source), "title": story.title, "status": story.status.value,
        "words": story.words, "excerpt": excerpt(story), "missing": missing, "also": others,
        "note": story.note, "line": story.line,
    }


def _memo_row(vault: Vault, writer: LinkWriter, entry: BankEntry, principle: str, source: str) -> dict[str, Any]:
    """`_story_row`, reused while the entry's Story objects and principles are the same."""
    memo = writer.memo
    if memo is None:
        return _story_row(vault, writer, entry, principle, source)
    key = (principle, id(entry.story))
    kept = memo.rows_used.get(key) or memo.rows.get(key)
    if kept is None or not _same_entry(kept[0], entry):
        kept = (entry, _story_row(vault, writer, entry, principle, source))
    memo.rows_used[key] = kept
    return kept[1]


def _same_entry(a: BankEntry, b: BankEntry) -> bool:
    return (a.principles == b.principles and len(a.occurrences) == len(b.occurrences)
            and all(x is y for x, y in zip(a.occurrences, b.occurrences)))


def _principle_context(vault: Vault, writer: LinkWriter, principle: Principle, row: dict[str, Any],
                       entries: list[BankEntry], backlinks: list[str]) -> dict[str, Any]:
    source = writer.paths[principle.name]
    rows = [_memo_row(vault, writer, e, principle.name, source) for e in entries]
    by_status = {s.value: [r for r in rows if r["status"] == s.value] for s in Status}
    also = Counter(n for e in entries for n in e.principles if n != principle.name)
    return {
        "marker": MARKER, "principle": principle, "counts": row,
        "tags": ["lp-index", f"lp/{principle.slug}"],
        "hub": writer.to_note(writer.paths[HUB_NAME], HUB_NAME, source),
        "complete": by_status["complete"], "to_finish": by_status["partial"] + by_status["blank"],
        "unstructured": by_status["unstructured"],
        "also_serves": [{"link": writer.to_principle(n, source), "count": c} for n, c in _catalog_order(vault, also)],
        "backlinks": [writer.to_note(p, vault.notes[p].stem, source) for p in backlinks],
    }


def _catalog_order(vault: Vault, counts: Counter[str]) -> list[tuple[str, int]]:
    return [(p.name, counts[p.name]) for p in vault.catalog.principles if counts.get(p.name)]


def _backlinks(vault: Vault, writer: LinkWriter, memo: PageMemo | None = None) -> dict[str, list[str]]:
    """Principle -> user notes that link to its index note or tag it, in one pass over the vault."""
    by_path = {path: name for name, path in writer.paths.items()}
    found: dict[str, set[str]] = {p.name: set() for p in vault.catalog.principles}
    for path, note in vault.notes.items():
        kept = memo.backlinks.get(path) if memo is not None else None
        if kept is not None and kept[0] is note:
            names = kept[1]
        else:
            names = frozenset(_linked_principles(vault, writer, by_path, path, note))
            if memo is not None:
                memo.backlinks[path] = (note, names)
        for name in names:
            if name in found:
                found[name].add(path)
    return {name: sorted(paths) for name, paths in found.items()}


def _linked_principles(vault: Vault, writer: LinkWriter, by_path: dict[str, str], path: str,
                       note: Note) -> Iterable[str]:
    """Names of the index notes `note` links to, and of the principles it tags."""
    for link in note.links:
        name = by_path.get(writer.resolver.resolve(link.target, path)) if link.target else None
        if name is not None:
            yield name
    for tag in note.tags:
        principle = vault.catalog.match_tag(tag.name)
        if principle is not None:
            yield principle.name


def excerpt(story: Story) -> str:
    """One line of the story's Result, as plain text safe inside a list item."""
    result = story.parts.get("result")
    if result is None or result.blank:
        return ""
    text = re.sub(r"!?\[\[([^\]|]*\|)?([^\]]*)\]\]", r"\2", result.text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"%%|<!--|-->|[*_`]{1,3}|&nbsp;", "", text)
    text = " ".join(line.strip(" \t-*+>#") for line in text.splitlines() if line.strip(" \t-*+>#"))
    text = text.replace("[[", "[ [").replace("]]", "] ]")
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1].rstrip() + "…"


# -- the hub -------------------------------------------------------------------------


def _hub_context(vault: Vault, writer: LinkWriter, coverage: list[dict[str, Any]],
                 lint_summary: Mapping[str, int]) -> dict[str, Any]:
    source = writer.paths[HUB_NAME]
    table = [{**row, "link": writer.to_principle(row["name"], source, table=True)} for row in coverage]
    unassigned = [e for e in vault.bank if not e.principles]
    reused = [e for e in vault.bank if e.reused]
    totals = Counter(e.story.status.value for e in vault.bank)
    return {
        "marker": MARKER, "coverage": table, "totals": {s.value: totals.get(s.value, 0) for s in Status},
        "stories": len(vault.bank), "notes": len(vault.notes),
        "chart": [(row["name"], row["complete"]) for row in coverage if row["complete"]],
        "unassigned": [_plain_row(writer, e.story, source) for e in unassigned],
        "reused": [{**_plain_row(writer, e.story, source),
                    "principles": [writer.to_principle(n, source) for n in e.principles]} for e in reused],
        "lint": dict(sorted(lint_summary.items())),
        "principle_links": [writer.to_principle(p.name, source) for p in vault.catalog.principles],
    }


def _plain_row(writer: LinkWriter, story: Story, source: str) -> dict[str, Any]:
    return {"link": writer.to_story(story, source), "status": story.status.value, "words": story.words}


def mermaid_label(text: str) -> str:
    """A pie-slice label: Mermaid takes it between double quotes."""
    return text.replace('"', "'")


def counts_line(items: Iterable[tuple[str, int]]) -> str:
    """`2 complete, 1 partial` for the non-zero counts."""
    return ", ".join(f"{n} {name}" for name, n in items if n)
