"""The story bank and notes as data: table, JSON and CSV text."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from lpvault.config import STAR_PARTS
from lpvault.model import BankEntry, Note, Part
from lpvault.vault import Vault


def _part(part: Part | None) -> dict[str, Any] | None:
    return None if part is None else {"text": part.text, "line": part.line}


def story_record(vault: Vault, entry: BankEntry, writer: Any) -> dict[str, Any]:
    """One distinct story as plain data (the first occurrence's place and link)."""
    story = entry.story
    source = writer.paths[story.principles[0]] if story.principles else writer.paths["Leadership Principles"]
    return {
        "note": story.note, "title": story.title, "key": story.key, "principles": list(entry.principles),
        "status": story.status.value, "line": story.line, "end_line": story.end_line,
        "link": writer.to_story(story, source), "words": story.words,
        "parts": {name: _part(story.parts.get(name)) for name in STAR_PARTS},
        "extras": {name: _part(part) for name, part in sorted(story.extras.items())},
        "occurrences": [{"note": s.note, "line": s.line, "principles": list(s.principles)} for s in entry.occurrences],
    }


def stories_as(vault: Vault, fmt: str) -> str:
    """The story bank in `fmt`: 'json', 'csv' or 'table'."""
    from lpvault.index import LinkWriter

    writer = LinkWriter(vault)
    records = [story_record(vault, e, writer) for e in vault.bank]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    rows = [[r["note"], str(r["line"]), r["title"], r["status"], str(r["words"]), "; ".join(r["principles"])]
            for r in records]
    header = ["note", "line", "title", "status", "words", "principles"]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([header] + rows)
        return out.getvalue()
    return _table([header] + rows)


def _table(rows: list[list[str]]) -> str:
    widths = [min(max(len(r[i]) for r in rows), 50) for i in range(len(rows[0]))]
    lines = ["  ".join(cell[:50].ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


# -- notes: the parsed metadata ----------------------------------------------------------


def _unique_tags(note: Note) -> list[str]:
    """The note's tags without `#`, front matter first, each once (case-insensitively,
    first spelling kept, as Obsidian's tag pane does)."""
    seen: dict[str, str] = {}
    for tag in note.tags:
        seen.setdefault(tag.name.lower(), tag.name)
    return list(seen.values())


def note_record(vault: Vault, note: Note) -> dict[str, Any]:
    """One note's parsed metadata, its links resolved across the vault."""
    from lpvault.links import resolve_link

    links = []
    for link in note.links:
        resolved, found = resolve_link(vault, note.path, link)
        links.append({"target": link.target, "subpath": link.subpath, "alias": link.alias, "embed": link.embed,
                      "line": link.line, "column": link.column, "resolved": resolved, "heading_found": found})
    return {
        "path": note.path, "title": note.title, "aliases": list(note.aliases), "tags": _unique_tags(note),
        "headings": [{"level": h.level, "text": h.text, "line": h.line} for h in note.headings],
        "links": links,
        "front_matter": dict(note.front_matter) if note.front_matter is not None else None,
    }


def notes_as(vault: Vault, fmt: str) -> str:
    """Every note's metadata in `fmt`: 'json' (a list of note objects) or 'table'."""
    records = [note_record(vault, vault.notes[path]) for path in sorted(vault.notes)]
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    header = ["path", "headings", "links", "broken", "tags"]
    rows = [[r["path"], str(len(r["headings"])), str(len(r["links"])), str(_broken(r["links"])),
             " ".join("#" + t for t in r["tags"])] for r in records]
    return _table([header] + rows)


def _broken(links: list[dict[str, Any]]) -> int:
    """Links that open nothing, or a heading or block that is not there."""
    return sum(1 for link in links if link["resolved"] is None or link["heading_found"] is False)


def _json_value(value: Any) -> Any:
    """YAML values JSON lacks: dates and times as ISO text, anything else as text."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
