"""Note rules (LPV2xx): headings that are not what they seem, and files that cannot be read."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from lpvault import inline
from lpvault.findings import Hit, Severity
from lpvault.model import Note
from lpvault.principles import Catalog, Principle
from lpvault.rules.base import problems_named, rule
from lpvault.vault import Vault

# `##Strong:`: two to six hashes and no space. One hash is a tag (`#LP`), seven are text.
_NO_SPACE_HEADING = re.compile(r"^[ \t]{0,3}(?P<hashes>#{2,6})(?=[^\s#])")


def _blank_comments(text: str) -> str:
    """Inline HTML comments replaced by spaces, line breaks kept."""
    return inline.blank_spans(text, inline.html_comment_spans(text)) if "<!--" in text else text


@rule("LPV201", "heading-missing-space", Severity.WARNING, scope="note")
def heading_missing_space(note: Note, vault: Vault) -> Iterator[Hit]:
    """Heading without a space after the `#`s (`##Strong:`), so it is plain text.

    Why: Obsidian and every CommonMark renderer show `##Strong:` as a
    paragraph: it is missing from the outline and cannot be linked to. Code
    blocks and comments are left alone; a single `#` is a tag.
    """
    for block in note.blocks:
        if block.kind != "paragraph" or block.commented or "#" not in block.text:
            continue
        for index, text in enumerate(_blank_comments(block.text).split("\n")):
            match = _NO_SPACE_HEADING.match(text)
            if match:
                hashes = match.group("hashes")
                fixed = f"{hashes} {text[match.end():].strip()}"
                yield Hit(block.line + index, 1, f"'{hashes}' needs a space after it to make a heading: '{fixed}'")


@lru_cache(maxsize=16384)
def _near_miss(catalog: Catalog, text: str) -> Principle | None:
    """Catalog.near_miss, remembered: headings repeat across notes and across watch cycles."""
    return catalog.near_miss(text)


@rule("LPV202", "unknown-principle", Severity.WARNING, scope="note")
def unknown_principle(note: Note, vault: Vault) -> Iterator[Hit]:
    """Heading close to, but not, a principle name ("Invent and Simplfy"), with a "did you mean".

    Why: a misspelt principle heading silently leaves its stories out of that
    principle's index note.
    """
    for heading in note.headings:
        near = _near_miss(vault.catalog, heading.text)
        if near is not None:
            yield Hit(heading.line, 1, f"'{heading.text}' is not a principle name: did you mean '{near.name}'?")


@rule("LPV203", "invalid-front-matter", Severity.ERROR, scope="note")
def invalid_front_matter(note: Note, vault: Vault) -> Iterator[Hit]:
    """Front matter that is not valid YAML (`---`) or TOML (`+++`).

    Why: Obsidian, Jekyll and Hugo drop a note's properties when they cannot
    parse them, and lpvault cannot read its principles, aliases or tags.
    """
    yield from problems_named(note, "invalid-front-matter")


@rule("LPV204", "unreadable-file", Severity.ERROR, scope="note")
def unreadable_file(note: Note, vault: Vault) -> Iterator[Hit]:
    """Unreadable note: not UTF-8, binary, or over the size limit (`max_file_size`).

    Why: lpvault skips what it cannot read, so its stories are missing from
    the index; better to know than to wonder.
    """
    yield from problems_named(note, "unreadable-file")


@rule("LPV205", "front-matter-tags", Severity.WARNING, scope="note")
def front_matter_tags(note: Note, vault: Vault) -> Iterator[Hit]:
    """Front-matter `tags:` written as one comma-separated string instead of a list.

    Why: Obsidian reads a string of tags differently from a list (and newer
    versions flag it); write `tags: [a, b]` or one `- tag` per line.
    """
    yield from problems_named(note, "front-matter-tags")
