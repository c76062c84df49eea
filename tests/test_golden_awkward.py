"""Golden index notes for a vault whose headings use every awkward character
(`: # | ^ [ ] %`, emphasis, links, emoji, non-Latin text, duplicates, headings
that cannot be targeted), and proof that every link written opens exactly the
story's heading by Obsidian's rules (OBSIDIAN.md §1, §2, §12).

LPVAULT_REGEN_GOLDEN=1 rewrites tests/golden/awkward/expected.
"""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from lpvault import obsidian
from lpvault.config import load_config
from lpvault.parse import parse_text
from lpvault.pipeline import run_index

from conftest import copy_vault

CASE = Path(__file__).resolve().parent / "golden" / "awkward"
AWKWARD = "Awkward headings.md"

# (index note, link display) -> (note the link must open, source line of the heading it must open)
EXPECTED_TARGETS = {
    ("Customer Obsession", "Foo: bar"): (AWKWARD, "## Foo: bar"),
    ("Customer Obsession", "C# tips / and pipes"): (AWKWARD, "## C# tips | and pipes"),
    ("Customer Obsession", "x^2 growth (draft) )) closers"): (AWKWARD, "## x^2 growth [draft] ]] closers"),
    ("Customer Obsession", "100% done, 50% %fun"): (AWKWARD, "## 100% done, 50% %fun"),
    ("Customer Obsession", "**Bold** _launch_ `code` ==marked== ~~struck~~"):
        (AWKWARD, "## **Bold** _launch_ `code` ==marked== ~~struck~~"),
    ("Customer Obsession", "See the other and site"):
        (AWKWARD, "## See [[Other note|the other]] and [site](https://example.com)"),
    ("Customer Obsession", "Shipped 🚀 on time ✅"): (AWKWARD, "## Shipped 🚀 on time ✅"),
    ("Customer Obsession", "顧客第一の話"): (AWKWARD, "## 顧客第一の話"),
    ("Customer Obsession", "Réduction des coûts — «été»"): (AWKWARD, "## Réduction des coûts — «été»"),
    # headings that cannot be targeted: the nearest targetable ancestor
    ("Customer Obsession", "???"): (AWKWARD, "# Customer Obsession"),
    ("Customer Obsession", "Heading with id ^hid"): (AWKWARD, "# Customer Obsession"),
    ("Customer Obsession", "Issue #12 fixed"): (AWKWARD, "## Issue \\#12 fixed"),
    # duplicates: the first "### Notes", then the second one through its parent
    ("Dive Deep", "Notes"): (AWKWARD, "### Notes@84"),
    ("Dive Deep", "Notes@2"): (AWKWARD, "### Notes@92"),
    ("Dive Deep", "Outage again"): (AWKWARD, "## Outage again"),
    ("Dive Deep", "Outage"): (AWKWARD, "### Outage"),
    ("Dive Deep", "Inside a callout"): (AWKWARD, "# Dive Deep"),
    # two notes of the same name: the full path
    ("Ownership", "Story"): ("Archive/Stories.md", "## Story"),
    ("Ownership", "Story@2"): ("Stories.md", "## Story"),
    ("Leadership Principles", "Side project: A / B (v2)"): ("Loose.md", "# Side project: A | B [v2]"),
}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The awkward vault with its index built, as `lpvault index` builds it."""
    root = copy_vault(CASE / "vault", tmp_path_factory.mktemp("awkward") / "vault")
    run_index(root, load_config(root))
    return root


def test_awkward_index_matches_golden(built: Path) -> None:
    fresh = _files(built / "LP Index")
    if os.environ.get("LPVAULT_REGEN_GOLDEN"):
        shutil.rmtree(CASE / "expected", ignore_errors=True)
        shutil.copytree(built / "LP Index", CASE / "expected")
    golden = _files(CASE / "expected")
    assert sorted(fresh) == sorted(golden)
    for name, data in fresh.items():
        diff = "".join(difflib.unified_diff(golden[name].decode().splitlines(True), data.decode().splitlines(True),
                                            f"expected/{name}", f"fresh/{name}"))
        assert not diff, diff


def _resolver(root: Path) -> obsidian.LinkResolver:
    notes = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))
    return obsidian.LinkResolver(notes)


def _opened(root: Path, resolver: obsidian.LinkResolver, source: str, inner: str) -> tuple[str, int | None]:
    """(note, heading line or None) that `[[inner]]` in `source` opens, by Obsidian's rules."""
    path, subpath, _ = obsidian.parse_linktext(inner)
    target = resolver.resolve(path, source)
    assert target is not None, f"[[{inner}]] in {source} opens nothing"
    if subpath is None:
        return target, None
    note = parse_text(target, (root / target).read_text(encoding="utf-8"))
    index = obsidian.resolve_subpath(subpath, note.headings)
    assert index is not None, f"[[{inner}]] in {source}: no heading matches {subpath!r}"
    return target, note.headings[index].line


def _line_of(root: Path, path: str, heading: str) -> int:
    """The line number of a heading's source line (`text@line` picks one of several)."""
    text, _, at = heading.partition("@")
    lines = (root / path).read_text(encoding="utf-8").split("\n")
    found = [i + 1 for i, line in enumerate(lines) if line == text]
    return int(at) if at else found[0]


def _story_links(root: Path) -> dict[tuple[str, str], str]:
    """(index note, display) -> inner text of every link to a user note's heading or note."""
    found: dict[tuple[str, str], str] = {}
    for page in sorted((root / "LP Index").glob("*.md")):
        for _, inner, _ in obsidian.find_wikilinks(page.read_text(encoding="utf-8")):
            display = obsidian.parse_linktext(inner)[2] or inner
            key = (page.stem, display)
            count = 2
            while key in found:
                key, count = (page.stem, f"{display}@{count}"), count + 1
            found[key] = inner
    return found


def test_every_story_link_opens_exactly_the_story_heading(built: Path) -> None:
    resolver = _resolver(built)
    links = _story_links(built)
    for (page, display), (path, heading) in EXPECTED_TARGETS.items():
        inner = links.get((page, display))
        assert inner is not None, f"no link {display!r} in {page}: {sorted(k for k in links if k[0] == page)}"
        opened = _opened(built, resolver, f"LP Index/{page}.md", inner)
        assert opened == (path, _line_of(built, path, heading)), (page, display, inner)


def test_every_written_link_resolves(built: Path) -> None:
    resolver = _resolver(built)
    for page in sorted((built / "LP Index").glob("*.md")):
        for _, inner, _ in obsidian.find_wikilinks(page.read_text(encoding="utf-8")):
            _opened(built, resolver, f"LP Index/{page.name}", inner)  # asserts inside


def test_user_notes_link_back_and_the_hub_links_every_principle(built: Path) -> None:
    hub = (built / "LP Index" / "Leadership Principles.md").read_text(encoding="utf-8")
    principles = [p.stem for p in (built / "LP Index").glob("*.md") if p.stem != "Leadership Principles"]
    assert all(f"[[{name}]]" in hub for name in principles)
    co = (built / "LP Index" / "Customer Obsession.md").read_text(encoding="utf-8")
    assert "## Notes that link here\n\n- [[Linker]]\n" in co
    ownership = (built / "LP Index" / "Ownership.md").read_text(encoding="utf-8")
    assert "## Notes that link here\n\n- [[Tagged]]\n" in ownership
    assert "Hidden in a comment" not in co + hub
