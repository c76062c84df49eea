"""Link rules (LPV3xx): every link a note makes should open what it names."""
from __future__ import annotations

from typing import Iterator

from lpvault.findings import Hit, Severity
from lpvault.links import resolve_link
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


def _missing(link: Link) -> str:
    key = (link.subpath or "").lstrip("#")
    return f"no block '{key}'" if key.startswith("^") else f"no heading '{key}'"


@rule("LPV301", "broken-link", Severity.WARNING, scope="note")
def broken_link(note: Note, vault: Vault) -> Iterator[Hit]:
    """Broken link: a wikilink or embed to a missing note, heading (`#Heading`) or block (`#^id`).

    Why: a broken link in a story bank usually means a renamed story or
    principle heading; the index notes and your own links no longer lead
    there. Links to the index notes count as resolved before the first
    `lpvault index`. Markdown links are checked in vaults set to use them.
    """
    for link in note.links:
        if not _checked(link, vault):
            continue
        destination, found = resolve_link(vault, note.path, link)
        if destination is None:
            yield Hit(link.line, link.column, f"{_written(link)}: no note or file named '{link.target}'")
        elif found is False:
            yield Hit(link.line, link.column, f"{_written(link)}: {_missing(link)} in '{destination}'")
