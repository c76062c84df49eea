"""Vault -> {output path: (template, context)}: one note per principle and the hub.

Every link we write is checked with the same resolver Obsidian's rules give
before it is written; links are made here, the templates only lay them out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from lpvault import obsidian
from lpvault.links import github_ids, link_resolver
from lpvault.model import BankEntry, Note, Status, Story
from lpvault.principles import Principle
from lpvault.vault import Vault
from lpvault.write import MARKER

HUB_NAME = "Leadership Principles"
_EXCERPT_CHARS = 140
T = TypeVar("T")
Item = TypeVar("Item")


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
    """What `build_pages` worked out for the last vault, reused for the next one (`watch`).

    Kept: links to notes without a heading; the principles each note links to or
    tags, worked out again for changed notes, and so each principle's backlinks;
    rows by BankEntry object (the same object has the same occurrences, principles
    and notes); each principle's coverage and context, made again only when its
    list in the story bank (another object once one of its entries changes) or its
    backlinks changed. When files come or go, what was made for links to files of
    their names is dropped (see `links.retargeted`); when the settings change, or
    an index note's name is concerned, everything."""

    def __init__(self) -> None:
        self.vault: Vault | None = None
        self.links: dict[tuple[Any, ...], str] = {}
        self.linked: dict[str, frozenset[str]] = {}  # note path -> principles it links to or tags
        self.linkers: dict[str, set[str]] = {}  # principle -> the notes that do
        self.backlinks: dict[str, list[str]] = {}  # principle -> those notes, sorted
        self.pages: dict[str, tuple[Any, ...]] = {}  # principle -> (entries, backlinks, coverage, context)
        # (kind, name) -> (the items, their rows, {id(item): (item, row)}); the items None once one is dropped
        self.rows: dict[tuple[str, str], tuple[Sequence[Any] | None, list[Any], dict[int, tuple[Any, Any]]]] = {}

    def follow(self, vault: Vault) -> list[str]:
        """Forget what no longer holds for `vault`; the notes to look at again (all of them
        for a first vault or new settings). `self.vault` becomes `vault` once its pages
        are built: after an error, the next call looks at the same notes again."""
        from lpvault.links import retargeted, touched_names

        previous = self.vault
        if previous is not None and previous.same_files(vault):
            return vault.changes_since(previous)
        names = touched_names(previous, vault) if previous is not None else None
        if previous is None or names is None or not names.isdisjoint(self._index_keys(vault)):
            self.__dict__.update(PageMemo().__dict__)
            return list(vault.notes)
        self._forget(vault, retargeted(previous, vault, names))
        return list(dict.fromkeys(vault.changes_since(previous) + sorted(vault.lookups.looking_up(names))))

    @staticmethod
    def _index_keys(vault: Vault) -> frozenset[str]:
        """The file names links to the index notes read: when a file of one comes or goes,
        the links in every row may change."""
        return frozenset().union(*(obsidian.target_keys(path) for path in output_paths(vault).values()))

    def _forget(self, vault: Vault, paths: set[str]) -> None:
        """Drop the links to `paths`, and the rows and pages that show one."""
        self.links = {key: link for key, link in self.links.items() if key[0] not in paths}
        bank = vault.story_bank
        stale = {id(entry) for path in paths for story in vault.told.get(path, ())
                 for entry in [bank.entry_of(story)] if entry is not None}
        for key, (items, rows, made) in list(self.rows.items()):
            dropped = ([i for i, found in made.items() if found[0] in paths] if key[0] == "backlinks"
                       else [i for i in stale if i in made])
            for i in dropped:
                del made[i]
            if dropped:
                self.rows[key] = (None, rows, made)
                self.pages.pop(key[1], None)

    def rows_of(self, key: tuple[str, str], items: Sequence[Item], make: Callable[[Item], T]) -> list[T]:
        """`make(item)` for each item, reusing what it made for the same objects (and the
        whole list for the same list) under `key` last time: items are BankEntry objects,
        or paths (a link depends on the path alone while the files are the same)."""
        kept = self.rows.get(key)
        if kept is not None and kept[0] is items:
            return kept[1]
        before = kept[2] if kept is not None else {}
        rows, made = [], {}
        for item in items:
            found = before.get(id(item))
            if found is None or found[0] is not item:
                found = (item, make(item))
            made[id(item)] = found
            rows.append(found[1])
        self.rows[key] = (items, rows, made)
        return rows

    def page(self, name: str, entries: Sequence[BankEntry], backlinks: list[str],
             make: Callable[[], tuple[dict[str, Any], dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
        """A principle's coverage row and page context, `make()` only when its list of
        entries or its backlinks are other objects than last time."""
        kept = self.pages.get(name)
        if kept is None or kept[0] is not entries or kept[1] is not backlinks:
            kept = self.pages[name] = (entries, backlinks, *make())
        return kept[2], kept[3]


class _SingleBuild(PageMemo):
    """The memo of a one-off build: it keeps no rows and no page context, so a page's
    context is freed once it is rendered (together they weigh a sixth of a large vault)."""

    def rows_of(self, key: tuple[str, str], items: Sequence[Item], make: Callable[[Item], T]) -> list[T]:
        return [make(item) for item in items]

    def page(self, name: str, entries: Sequence[BankEntry], backlinks: list[str],
             make: Callable[[], tuple[dict[str, Any], dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
        return make()


def build_pages(vault: Vault, lint_summary: Mapping[str, int] | None = None,
                memo: PageMemo | None = None, *, lint_notes: Mapping[str, int] | None = None) -> list[Page]:
    """Every index note of the vault (`memo`: reuse what an earlier call worked out);
    `lint_summary` counts findings by rule code, `lint_notes` by note path."""
    return list(iter_pages(vault, lint_summary, memo, lint_notes=lint_notes))


def iter_pages(vault: Vault, lint_summary: Mapping[str, int] | None = None,
               memo: PageMemo | None = None, *, lint_notes: Mapping[str, int] | None = None) -> Iterator[Page]:
    """`build_pages` one page at a time. Without a `memo`, nothing of a page is kept
    once it is handed out: render it and drop it, and no two contexts are held at once
    (but the few rows of stories to finish, which the hub's gaps link to)."""
    memo = _SingleBuild() if memo is None else memo
    changed = memo.follow(vault)
    writer = LinkWriter(vault, memo)
    backlinks = _backlinks(vault, writer, memo, changed)
    coverage = []
    for principle in vault.catalog.principles:
        row, context = _principle_page(vault, writer, memo, principle, backlinks[principle.name])
        coverage.append({**row, "to_finish": context["to_finish"], "unstructured_rows": context["unstructured"]})
        yield Page(writer.paths[principle.name], "principle.md.j2", context)
    hub = _hub_context(vault, writer, memo, coverage, lint_summary or {}, lint_notes or {})
    yield Page(writer.paths[HUB_NAME], "hub.md.j2", hub)
    memo.vault = vault


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
        # This build's work, for a story listed under several principles and the
        # principle links repeated in every row: each link is made and checked once.
        self._written: dict[tuple[Any, ...], str] = {}
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._anchors: dict[tuple[str, str, str, int | None], bool] = {}
        self._linkpaths: dict[str, str] = {}
        self._headings: dict[str, obsidian.HeadingLookup] = {}

    def to_note(self, path: str, display: str, source: str, anchor: str = "", *, table: bool = False,
                line: int | None = None) -> str:
        """A link from output note `source` to `path` (and heading `anchor`) showing `display`.

        `line`, when given, is where the linked story starts: the heading the
        anchor opens must come before it. A wikilink that would not open the
        heading links the note; one that would not open the note at all (a file
        name with `# | ^ : [ ] %%`) is written as text naming the file."""
        if self.memo is None or anchor or line is not None:
            key = (path, display, source, anchor, table, line)  # a story under several principles
            link = self._written.get(key)
            if link is None:
                link = self._written[key] = self._to_note(path, display, source, anchor, table, line)
            return link
        key = (path, display, source, table)  # no heading: the link depends on the files alone
        text = self.memo.links.get(key)
        if text is None:
            text = self.memo.links[key] = self._to_note(path, display, source, anchor, table, line)
        return text

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
        linkpath = self._linkpaths.get(path)
        if linkpath is None:
            linkpath = self._linkpaths[path] = self.resolver.link_path_for(path)
        if self._resolve(linkpath, source) != path:
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
        if self._resolve(linkpath, source) != path:
            return False
        if not anchor:
            return subpath is None
        key = (path, subpath or "", anchor, line)
        opens = self._anchors.get(key)
        if opens is None:
            opens = self._anchors[key] = self._subpath_opens(path, subpath or "", anchor, line)
        return opens

    def _subpath_opens(self, path: str, subpath: str, anchor: str, line: int | None) -> bool:
        """True if `#subpath` in `path` opens the heading `anchor` names, before `line`."""
        note = self.vault.notes.get(path)
        if note is None:
            return False
        lookup = self._headings.get(path)
        if lookup is None:
            lookup = self._headings[path] = obsidian.HeadingLookup(note.headings)
        index = lookup.resolve(subpath)
        return (index is not None and lookup.anchor(index) == anchor
                and (line is None or note.headings[index].line <= line))

    def _resolve(self, linkpath: str, source: str) -> str | None:
        """`resolver.resolve`, remembered for this build."""
        key = (linkpath, source)
        if key not in self._resolved:
            self._resolved[key] = self.resolver.resolve(linkpath, source)
        return self._resolved[key]

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
    if "[" in text:
        text = _MD_LINK_TEXT.sub(r"\1", _WIKILINK_TEXT.sub(r"\1", text))
    return _BACKSLASH_ESCAPE.sub(r"\1", text) if "\\" in text else text


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


def _coverage(principle: Principle, stories: int, statuses: Mapping[str, int]) -> dict[str, Any]:
    return {"name": principle.name, "stories": stories, **{s.value: statuses.get(s.value, 0) for s in Status}}


def _story_row(vault: Vault, writer: LinkWriter, entry: BankEntry, *, principle: str, source: str) -> dict[str, Any]:
    story = entry.occurrence_for(principle)
    filled = story.filled
    missing = [p for p in vault.config.required_parts if p not in filled]
    others = [writer.to_principle(n, source) for n in entry.principles if n != principle]
    return {
        "link": writer.to_story(story, source), "title": story.title, "status": story.status.value,
        "words": story.words, "spoken": spoken_length(story.words), "excerpt": excerpt(story), "missing": missing,
        "also": others,
        "note": story.note, "line": story.line,
    }


def _principle_page(vault: Vault, writer: LinkWriter, memo: PageMemo, principle: Principle,
                    backlinks: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A principle's coverage row and page context: the last ones while its list of
    entries and its backlinks are the same objects."""
    bank = vault.story_bank
    entries = bank.under(principle.name)

    def make() -> tuple[dict[str, Any], dict[str, Any]]:
        row = _coverage(principle, len(entries), bank.statuses(principle.name))
        return row, _principle_context(vault, writer, memo, principle, row, entries, backlinks)

    return memo.page(principle.name, entries, backlinks, make)


def _principle_context(vault: Vault, writer: LinkWriter, memo: PageMemo, principle: Principle, row: dict[str, Any],
                       entries: Sequence[BankEntry], backlinks: list[str]) -> dict[str, Any]:
    source = writer.paths[principle.name]
    make = partial(_story_row, vault, writer, principle=principle.name, source=source)
    by_status: dict[str, list[dict[str, Any]]] = {s.value: [] for s in Status}
    for story in memo.rows_of(("principle", principle.name), entries, make):
        by_status[story["status"]].append(story)
    also = vault.story_bank.also_serves(principle.name)

    def backlink(path: str) -> str:
        return writer.to_note(path, vault.notes[path].stem, source)

    return {
        "marker": MARKER, "principle": principle, "counts": row,
        "tags": ["lp-index", f"lp/{principle.slug}"],
        "hub": writer.to_note(writer.paths[HUB_NAME], HUB_NAME, source),
        "complete": by_status["complete"], "to_finish": by_status["partial"] + by_status["blank"],
        "unstructured": by_status["unstructured"],
        "also_serves": [{"link": writer.to_principle(n, source), "count": c} for n, c in _catalog_order(vault, also)],
        "backlinks": memo.rows_of(("backlinks", principle.name), backlinks, backlink),
    }


def _catalog_order(vault: Vault, counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(p.name, counts[p.name]) for p in vault.catalog.principles if counts.get(p.name)]


def _backlinks(vault: Vault, writer: LinkWriter, memo: PageMemo, changed: list[str]) -> dict[str, list[str]]:
    """Principle -> user notes that link to its index note or tag it, sorted; worked out
    again for the `changed` notes only (a principle's list is another object when it changed)."""
    by_path = {path: name for name, path in writer.paths.items()}
    touched: set[str] = set()
    for path in changed:
        before = memo.linked.pop(path, frozenset())
        note = vault.notes.get(path)
        now = frozenset(_linked_principles(vault, writer, by_path, path, note)) if note is not None else frozenset()
        if now:
            memo.linked[path] = now
        for name in before - now:
            memo.linkers[name].discard(path)
        for name in now - before:
            memo.linkers.setdefault(name, set()).add(path)
        touched |= before ^ now
    for principle in vault.catalog.principles:
        if principle.name in touched or principle.name not in memo.backlinks:
            memo.backlinks[principle.name] = sorted(memo.linkers.get(principle.name, ()))
    return memo.backlinks


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


_EXCERPT_WIKILINK = re.compile(r"!?\[\[([^\]|]*\|)?([^\]]*)\]\]")
_EXCERPT_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EXCERPT_MARKUP = re.compile(r"%%|<!--|-->|[*_`]{1,3}|&nbsp;")
_EXCERPT_MARKUP_CHARS = re.compile(r"[%<>*_`&]")


def excerpt(story: Story) -> str:
    """One line of the story's Result, as plain text safe inside a list item."""
    result = story.parts.get("result")
    if result is None or result.blank:
        return ""
    text = result.text
    if "[" in text:  # most results hold no link: the substitutions are skipped, not run for nothing
        text = _EXCERPT_WIKILINK.sub(r"\2", text)
        text = _EXCERPT_MD_LINK.sub(r"\1", text)
    if _EXCERPT_MARKUP_CHARS.search(text):
        text = _EXCERPT_MARKUP.sub("", text)
    text = " ".join(line.strip(" \t-*+>#") for line in text.splitlines() if line.strip(" \t-*+>#"))
    text = text.replace("[[", "[ [").replace("]]", "] ]")
    return text if len(text) <= _EXCERPT_CHARS else cut_at_word(text, _EXCERPT_CHARS)


def cut_at_word(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at the end of a word, with an ellipsis
    (a single word longer than that is cut inside it: there is no other place)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


WORDS_PER_MINUTE = 150  # a story told aloud in an interview


def spoken_length(words: int) -> str:
    """How long the story takes to tell: `≈ 40 s` under a minute (to ten seconds), else
    `≈ 1.5 min`, `≈ 3 min` (to half a minute)."""
    seconds = words * 60 / WORDS_PER_MINUTE
    if seconds < 55:
        return f"≈ {max(10, round(seconds / 10) * 10)} s"
    halves = round(seconds / 30)
    return f"≈ {halves // 2}{'.5' if halves % 2 else ''} min"


# -- the hub -------------------------------------------------------------------------


_TOP_NOTES = 5  # notes the hub's lint section links, most findings first


def _hub_context(vault: Vault, writer: LinkWriter, memo: PageMemo, coverage: list[dict[str, Any]],
                 lint_summary: Mapping[str, int], lint_notes: Mapping[str, int]) -> dict[str, Any]:
    source = writer.paths[HUB_NAME]
    bank = vault.story_bank
    table = [{**row, "link": writer.to_principle(row["name"], source, table=True)} for row in coverage]
    totals = bank.statuses()

    def unassigned(entry: BankEntry) -> dict[str, Any]:
        return _plain_row(writer, entry.story, source)

    def reused(entry: BankEntry) -> dict[str, Any]:
        return {**_plain_row(writer, entry.story, source),
                "principles": [writer.to_principle(n, source) for n in entry.principles]}

    return {
        "marker": MARKER, "coverage": table, "totals": {s.value: totals.get(s.value, 0) for s in Status},
        "stories": len(bank.entries), "notes": len(vault.notes),
        "gaps": _gaps(writer, coverage, source),
        "unassigned": memo.rows_of(("hub", "unassigned"), bank.unassigned, unassigned),
        "reused": memo.rows_of(("hub", "reused"), bank.reused, reused),
        "lint": dict(sorted(lint_summary.items())),
        "lint_rules": [{"code": code, "name": _rule_name(code), "count": n} for code, n in sorted(lint_summary.items())],
        "lint_notes": _most_findings(vault, writer, lint_notes, source),
        "principle_links": [writer.to_principle(p.name, source) for p in vault.catalog.principles],
    }


def _gaps(writer: LinkWriter, coverage: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """The principles without a complete story: first those with no story at all, then those
    with only partial, blank or unstructured ones, each with links to the stories to finish."""
    empty = [row for row in coverage if not row["stories"]]
    unfinished = [row for row in coverage if row["stories"] and not row["complete"]]
    return [{"link": writer.to_principle(row["name"], source), "stories": row["stories"],
             "finish": [s["link"] for s in row["to_finish"] + row["unstructured_rows"]]}
            for row in empty + unfinished]


def _rule_name(code: str) -> str:
    from lpvault.rules import lookup_rule

    rule = lookup_rule(code)
    return rule.name if rule is not None else code


def _most_findings(vault: Vault, writer: LinkWriter, lint_notes: Mapping[str, int], source: str) -> list[dict[str, Any]]:
    """Links to the notes with the most findings (notes only: not the config file), most first."""
    top = sorted(((n, path) for path, n in lint_notes.items() if path in vault.notes), key=lambda t: (-t[0], t[1]))
    return [{"link": writer.to_note(path, vault.notes[path].stem, source), "count": n} for n, path in top[:_TOP_NOTES]]


def _plain_row(writer: LinkWriter, story: Story, source: str) -> dict[str, Any]:
    return {"link": writer.to_story(story, source), "status": story.status.value, "words": story.words,
            "spoken": spoken_length(story.words)}


def mermaid_label(text: str) -> str:
    """A pie-slice label: Mermaid takes it between double quotes."""
    return text.replace('"', "'")


def counts_line(items: Iterable[tuple[str, int]]) -> str:
    """`2 complete, 1 partial` for the non-zero counts."""
    return ", ".join(f"{n} {name}" for name, n in items if n)
