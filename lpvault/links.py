"""The vault's link graph: which file each link opens, and whether its heading exists.

One resolver serves lint (`broken-link`), the `notes` report and the index
writer, so that a link is judged the same way everywhere. It knows every note,
every other file, and the index notes lpvault writes (already written or not
yet), because `[[Customer Obsession]]` in a user's note is meant to open the
generated index note (OBSIDIAN.md §1, SPEC §4).
"""
from __future__ import annotations

import html
import re
import weakref
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

import mistune

from lpvault import obsidian
from lpvault.model import Link, Note
from lpvault.vault import Vault

__all__ = ["ResolvedLink", "file_changes", "github_ids", "github_slug", "heading_found", "heading_text_content",
           "link_graph", "link_resolver", "resolve_link", "retargeted", "touched_names"]

_CACHE_KEY = "link_resolver"


@dataclass(frozen=True)
class ResolvedLink:
    """One edge of the link graph."""

    source: str  # vault path of the note holding the link
    link: Link
    resolved: str | None  # vault path the link opens, None when it opens nothing
    heading_found: bool | None  # None: no subpath, or nothing to check it against


def link_resolver(vault: Vault) -> obsidian.LinkResolver:
    """The resolver over every note, other file and (planned) index note of `vault`.

    Built once per set of files: kept with the Vault's results that depend on its
    files alone (`Vault.by_files`, handed on to the next vault in `watch`), and
    made from the last vault's when only a few files came or went."""
    cached = vault.by_files.get(_CACHE_KEY)
    if cached is None:
        base = vault.base
        known = base.by_files.get(_CACHE_KEY) if base is not None else None
        changes = file_changes(base, vault) if known is not None else None  # type: ignore[arg-type]
        if changes is None:
            cached = obsidian.LinkResolver(sorted(_linked_files(vault)), other_files=sorted(vault.others))
        else:
            added, removed = changes
            cached = known.updated(added, removed, others=vault.others)  # type: ignore[union-attr]
        vault.by_files[_CACHE_KEY] = cached
    return cached


def _linked_files(vault: Vault) -> set[str]:
    """Every note a link may open: the vault's, and the index notes (written or planned)."""
    from lpvault.index import output_paths  # index imports this module's users

    return set(vault.notes) | set(vault.output_paths) | set(output_paths(vault).values())


def file_changes(old: Vault, new: Vault) -> tuple[set[str], set[str]] | None:
    """(files added, files removed) that links may open, from `old` to `new`; None when
    their settings differ (every link may change)."""
    if old.config != new.config or old.catalog is not new.catalog:
        return None
    known = new.__dict__.get("_file_changes")  # lint, index and the resolver all ask
    if known is not None and known[0]() is old:
        return known[1]
    before, after = _linked_files(old) | set(old.others), _linked_files(new) | set(new.others)
    changes = after - before, before - after
    new.__dict__["_file_changes"] = (weakref.ref(old), changes)
    return changes


def retargeted(old: Vault, new: Vault, names: frozenset[str]) -> set[str]:
    """The files a link written to may read differently in `new` than in `old`, given the
    `touched_names` of the files that came or went: those files, and the files whose
    `obsidian.target_keys` hold one of the names."""
    resolvers = (link_resolver(old), link_resolver(new))
    found: set[str] = set()
    for name in names:  # target_keys(path) are its file name f, f + '.md', and f without '.md' when dotted
        for file_name in (name, name[:-3] if name.endswith(".md") else None, name + ".md" if "." in name else None):
            if file_name:
                for resolver in resolvers:
                    found.update(resolver.named(file_name))
    return found


def touched_names(old: Vault, new: Vault) -> frozenset[str] | None:
    """The lower-cased file names of the files that came or went from `old` to `new`:
    links whose `obsidian.lookup_keys` or `target_keys` miss them are unchanged. None
    when the settings differ."""
    changes = file_changes(old, new)
    if changes is None:
        return None
    return frozenset(path.rsplit("/", 1)[-1].lower() for path in changes[0] | changes[1])


def heading_found(note: Note | None, subpath: str | None) -> bool | None:
    """Whether `subpath` (`#Heading`, `#A#B`, `#^block`) names a place in `note`.

    None when there is no subpath (or only a bare `#`) or no parsed note to look
    in (a generated index note, an image, a PDF)."""
    if not subpath or not subpath.strip("#") or note is None:
        return None
    if subpath.lstrip("#").startswith("^"):
        return obsidian.resolve_block(subpath, note.block_ids)
    return obsidian.resolve_subpath(subpath, note.headings) is not None


def resolve_link(vault: Vault, note_path: str, link: Link) -> tuple[str | None, bool | None]:
    """(vault path that `link` in note `note_path` opens, heading_found).

    Resolution is Obsidian's (case-insensitive, exact path first, then the
    note of that name nearest the source folder, shortest path); an empty
    target is the note itself. heading_found is None without a subpath or
    when the link opens nothing; block subpaths are checked against block ids.
    A Markdown link's fragment also counts as found when it is the GitHub id
    of a heading (`#foo-bar`), the form GitHub, Jekyll and Hugo readers use.
    """
    resolved = link_resolver(vault).resolve(link.target, note_path)
    if resolved is None:
        return None, None
    note = vault.notes.get(resolved)
    found = heading_found(note, link.subpath)
    if found is False and link.markdown and note is not None and link.subpath:
        found = link.subpath.lstrip("#") in {slug for _, slug in github_ids(note)}
    return resolved, found


def link_graph(vault: Vault) -> Iterator[ResolvedLink]:
    """Every link of every note, resolved, in path and document order."""
    for path in sorted(vault.notes):
        for link in vault.notes[path].links:
            resolved, found = resolve_link(vault, path, link)
            yield ResolvedLink(path, link, resolved, found)


# -- heading ids of GitHub, Jekyll and Hugo (for Markdown links) ---------------------------

_INLINE_HTML = mistune.create_markdown(escape=False, plugins=["strikethrough"])


def heading_text_content(text: str) -> str:
    """The text of a heading as a browser shows it: inline markup rendered, tags dropped."""
    rendered = _INLINE_HTML("# " + " ".join(text.split())) if text.strip() else ""
    return html.unescape(re.sub(r"<[^>]*>", "", str(rendered))).strip()


def github_slug(text: str) -> str:
    """GitHub's heading id for a heading's text content (html-pipeline's rule).

    Lower-cased; every character that is not a letter, mark, decimal or letter
    number, connector (`_`), `-` or space is dropped; each space becomes `-`.
    Hugo (goldmark, `autoHeadingIDType = "github"`) and kramdown's GFM parser
    (Jekyll) follow the same rule for ordinary text. Repeats: `github_ids`."""
    kept = (ch for ch in text.lower() if ch in "- " or unicodedata.category(ch)[0] in "LM"
            or unicodedata.category(ch) in ("Nd", "Nl", "Pc"))
    return "".join(kept).replace(" ", "-")


def github_ids(note: Note) -> list[tuple[int, str]]:
    """(line, id) of every heading of `note` in document order, as GitHub numbers them.

    Quoted and listed headings count too; a repeated id gets `-1`, `-2`.
    Headings inside `%%` comments count with empty text (their text is not kept)."""
    seen: Counter[str] = Counter()
    ids = []
    for block in note.blocks:
        if block.kind == "heading":
            slug = github_slug(heading_text_content(block.text))
            ids.append((block.line, f"{slug}-{seen[slug]}" if seen[slug] else slug))
            seen[slug] += 1
    return ids
