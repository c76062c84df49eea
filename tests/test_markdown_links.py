"""`link_style = "markdown"`: generated links are CommonMark links with the heading
ids GitHub, Jekyll and Hugo give headings, proved by rendering with mistune.

The renderer below gives each heading an id by GitHub's rule (html-pipeline:
text content, lower-cased, every character that is not a letter, mark, decimal
or letter number, `_`, `-` or space dropped, spaces to `-`; repeats get `-1`,
`-2`), written here independently of lpvault's own `github_slug`.
"""
from __future__ import annotations

import html
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import mistune
import pytest

from lpvault.config import load_config
from lpvault.index import heading_slug
from lpvault.links import github_slug, heading_text_content
from lpvault.parse import parse_text
from lpvault.pipeline import run_index

from conftest import copy_vault

AWKWARD = Path(__file__).resolve().parent / "golden" / "awkward" / "vault"
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def _slug(text: str) -> str:
    keep = [c for c in text.lower() if c in "- " or unicodedata.category(c) in
            ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc")]
    return "".join(keep).replace(" ", "-")


class GitHubIds(mistune.HTMLRenderer):
    """HTML with GitHub-style heading ids."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        slug = _slug(html.unescape(re.sub(r"<[^>]*>", "", text)).strip())
        unique = f"{slug}-{self.seen[slug]}" if self.seen[slug] else slug
        self.seen[slug] += 1
        return f'<h{level} id="{unique}">{text}</h{level}>\n'


def render(text: str) -> str:
    """What a Jekyll/Hugo/GitHub page shows: front matter stripped, CommonMark + GFM tables."""
    md = mistune.create_markdown(renderer=GitHubIds(), plugins=["table", "strikethrough"])
    return str(md(_FRONT_MATTER.sub("", text)))


@pytest.mark.parametrize("text, slug", [
    ("Foo: bar", "foo-bar"),
    ("C# tips | and pipes", "c-tips--and-pipes"),
    ("x^2 growth [draft]", "x2-growth-draft"),
    ("100% done, 50% %fun", "100-done-50-fun"),
    ("Don't stop", "dont-stop"),
    ("snake_case and kebab-case", "snake_case-and-kebab-case"),
    ("Shipped 🚀 on time ✅", "shipped--on-time-"),
    ("顧客第一の話", "顧客第一の話"),
    ("Réduction des coûts — «été»", "réduction-des-coûts--été"),
    ("UPPER Case", "upper-case"),
])
def test_github_slug(text: str, slug: str) -> None:
    assert github_slug(text) == slug == _slug(text)


@pytest.mark.parametrize("text, content", [
    ("**Bold** _launch_ `code`", "Bold launch code"),
    ("See [site](https://example.com) now", "See site now"),
    ("a &amp; b <span>c</span>", "a & b c"),
    ("[[Other note|alias]]", "[[Other note|alias]]"),  # not Markdown: GitHub shows it as written
    ("~~struck~~ text", "struck text"),
    ("1. Customer Obsession", "1. Customer Obsession"),  # inline only: never a list
])
def test_heading_text_content(text: str, content: str) -> None:
    assert heading_text_content(text) == content


def test_repeated_headings_get_numbered_ids() -> None:
    note = parse_text("n.md", "# A\n## Notes\n# B\n## Notes\n> ## Notes\n# C\n## Notes\n")
    assert heading_slug(note, "Notes") == "notes"
    assert heading_slug(note, "B#Notes") == "notes-1"
    assert heading_slug(note, "C#Notes") == "notes-3"  # the quoted one took notes-2
    assert heading_slug(note, "Missing") is None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_vault(AWKWARD, tmp_path_factory.mktemp("md") / "vault")
    (root / "lpvault.toml").write_text('link_style = "markdown"\n', encoding="utf-8")
    run_index(root, load_config(root))
    return root


def _hrefs(page: Path) -> list[tuple[str, str]]:
    """(text, href) of every <a> in the rendered page."""
    rendered = render(page.read_text(encoding="utf-8"))
    return [(html.unescape(t), html.unescape(h)) for h, t in re.findall(r'<a href="([^"]*)">(.*?)</a>', rendered)]


def _ids(page: Path) -> list[str]:
    return re.findall(r'<h\d id="([^"]*)">', render(page.read_text(encoding="utf-8")))


def _open(root: Path, page: Path, href: str) -> tuple[Path, str | None]:
    """The file an href opens from `page`, and the heading id it names."""
    path, _, fragment = href.partition("#")
    folder = PurePosixPath(page.relative_to(root).as_posix()).parent
    target = root / unquote(str(folder / path))
    return target.resolve(), (unquote(fragment) if fragment else None)


def test_no_wikilinks_are_written(built: Path) -> None:
    for page in (built / "LP Index").glob("*.md"):
        assert "[[" not in page.read_text(encoding="utf-8").replace("[[Other note|the other]]", "")


def test_every_href_opens_a_file_and_an_existing_heading_id(built: Path) -> None:
    checked = 0
    for page in sorted((built / "LP Index").glob("*.md")):
        for text, href in _hrefs(page):
            target, fragment = _open(built, page, href)
            assert target.is_file(), f"{page.name}: [{text}]({href}) opens no file"
            if fragment is not None:
                assert fragment in _ids(target), f"{page.name}: [{text}]({href}): no id {fragment!r}"
                checked += 1
    assert checked >= 19


@pytest.mark.parametrize("display, heading_line", [
    ("Foo: bar", "## Foo: bar"),
    ("C# tips | and pipes", "## C# tips | and pipes"),
    ("x^2 growth [draft] ]] closers", "## x^2 growth [draft] ]] closers"),
    ("Shipped 🚀 on time ✅", "## Shipped 🚀 on time ✅"),
    ("Réduction des coûts — «été»", "## Réduction des coûts — «été»"),
    ("???", "# Customer Obsession"),
])
def test_story_links_name_the_story_heading(built: Path, display: str, heading_line: str) -> None:
    page = built / "LP Index" / "Customer Obsession.md"
    href = dict(_hrefs(page))[display]
    target, fragment = _open(built, page, href)
    assert target == (built / "Awkward headings.md").resolve()
    source = target.read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,6} .*$", _FRONT_MATTER.sub("", source), re.M)
    assert fragment == _ids(target)[headings.index(heading_line)]


def test_duplicate_heading_links_get_the_numbered_id(built: Path) -> None:
    page = built / "LP Index" / "Dive Deep.md"
    notes = [href for text, href in _hrefs(page) if text == "Notes"]
    assert [href.rpartition("#")[2] for href in notes] == ["notes", "notes-1"]


def test_links_between_index_notes_and_back_are_relative(built: Path) -> None:
    page = built / "LP Index" / "Customer Obsession.md"
    hrefs = dict(_hrefs(page))
    assert hrefs["Leadership Principles"] == "Leadership%20Principles.md"
    assert hrefs["Linker"] == "../Projects/Linker.md"


def test_table_cells_stay_intact(tmp_path: Path) -> None:
    root = copy_vault(AWKWARD, tmp_path / "vault")
    (root / "lpvault.toml").write_text('link_style = "markdown"\n', encoding="utf-8")
    run_index(root, load_config(root))
    hub = root / "LP Index" / "Leadership Principles.md"
    rows = re.findall(r"<tr>(.*?)</tr>", render(hub.read_text(encoding="utf-8")), re.S)
    assert len(rows) == 17 and all(row.count("<td") == 7 for row in rows[1:])
    shutil.rmtree(root)
