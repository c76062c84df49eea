"""Link rules (LPV3xx): every link a note makes should open what it names."""
from __future__ import annotations

from typing import Iterator

from lpvault import obsidian
from lpvault.findings import Hit, Severity
from lpvault.model import Link, Note
from lpvault.rules.base import rule
from lpvault.vault import Vault


def _written(link: Link) -> str:
    target = link.target + (link.subpath or "")
    return f"({target})" if link.markdown else f"[[{target}]]"


def _checked(link: Link, vault: Vault) -> bool:
    """Wikilinks always; Markdown links only in a vault that uses them for its notes
    (elsewhere they are usually a Jekyll or Hugo site's own pages)."""
    return not link.markdown or vault.config.link_style == "markdown"


def _destination(link: Link, note: Note, vault: Vault) -> str | None:
    """The file the link opens: a note, another file, or an index note lpvault writes."""
    found = vault.resolver.resolve(link.target, note.path)
    if found is None and link.target:
        from lpvault.index import output_paths  # index notes count even before the first `index`

        found = obsidian.LinkResolver(output_paths(vault).values()).resolve(link.target, note.path)
    return found


def _subpath_problem(subpath: str, target: Note) -> str | None:
    """Why `#Heading` or `#^block` does not open anything in `target`, or None."""
    key = subpath.lstrip("#")
    if key.startswith("[^") or not key:
        return None  # footnotes are not checked
    if key.startswith("^"):
        return None if obsidian.resolve_block(subpath, target.block_ids) else f"no block '{key}'"
    return None if obsidian.resolve_subpath(subpath, target.headings) is not None else f"no heading '{key}'"


@rule("LPV301", "broken-link", Severity.WARNING, scope="note")
def broken_link(note: Note, vault: Vault) -> Iterator[Hit]:
    """Broken link: a wikilink or embed to a missing note, heading (`#Heading`) or block (`#^id`).

    Why: a broken link in a story bank usually means a renamed story or
    principle heading; the index notes and your own links no longer lead
    there. Markdown links are checked in vaults set to use Markdown links.
    """
    for link in note.links:
        if not _checked(link, vault):
            continue
        destination = _destination(link, note, vault)
        if destination is None:
            yield Hit(link.line, link.column, f"{_written(link)}: no note or file named '{link.target}'")
            continue
        target = vault.notes.get(destination)
        problem = _subpath_problem(link.subpath, target) if link.subpath and target is not None else None
        if problem:
            yield Hit(link.line, link.column, f"{_written(link)}: {problem} in '{destination}'")
