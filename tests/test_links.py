"""Links, tags, headings, aliases and block ids end to end: snippets through
`parse_text`, and links resolved across a Vault the way Obsidian resolves them.

Every case comes from a [DOC] or [RE] rule of OBSIDIAN.md (section in the
case id); nothing here pins down an [UNCERTAIN] behaviour. Columns are 1-based
columns of the source line, list and quote markers included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pytest

from lpvault.config import Config
from lpvault.links import link_graph, resolve_link
from lpvault.model import Heading, Link, Tag
from lpvault.parse import parse_text
from lpvault.model import Analysis
from lpvault.pipeline import assemble, make_catalog

W = partial(Link, markdown=False)  # W(target, subpath, alias, embed, line, column)
M = partial(Link, markdown=True)
H = Heading  # H(level, text, line, targetable=True)
T = Tag  # T(name, line, column=1)


@dataclass(frozen=True)
class Case:
    """One snippet and what parsing it must give; None means "not checked"."""

    id: str
    text: str
    links: list[Link] | None = None
    tags: list[Tag] | None = None
    headings: list[Heading] | None = None
    aliases: tuple[str, ...] | None = None
    block_ids: tuple[str, ...] | None = None
    problems: list[str] = field(default_factory=list)


PARSE_CASES = [
    # -- wikilinks and embeds (§1) ------------------------------------------------
    Case("s1-bare", "[[Note]]\n", links=[W("Note", None, None, False, 1, 1)]),
    Case("s1-with-md", "see [[Note.md]]\n", links=[W("Note.md", None, None, False, 1, 5)]),
    Case("s1-folder", "[[Folder/Note]]\n", links=[W("Folder/Note", None, None, False, 1, 1)]),
    Case("s1-alias", "[[Note|Custom name]]\n", links=[W("Note", None, "Custom name", False, 1, 1)]),
    Case("s1-heading", "[[Note#Heading]]\n", links=[W("Note", "#Heading", None, False, 1, 1)]),
    Case("s1-heading-chain", "[[Note#A#B]]\n", links=[W("Note", "#A#B", None, False, 1, 1)]),
    Case("s1-heading-alias", "[[Note#H|shown]]\n", links=[W("Note", "#H", "shown", False, 1, 1)]),
    Case("s1-same-note", "[[#Heading]]\n", links=[W("", "#Heading", None, False, 1, 1)]),
    Case("s3-block", "[[Note#^blockid]]\n", links=[W("Note", "#^blockid", None, False, 1, 1)]),
    Case("s1-embed", "![[Note]]\n", links=[W("Note", None, None, True, 1, 1)]),
    Case("s1-embed-size", "![[img.png|100]]\n", links=[W("img.png", None, "100", True, 1, 1)]),
    Case("s1-embed-block", "x ![[N#^b]]\n", links=[W("N", "#^b", None, True, 1, 3)]),
    Case("s1-non-latin", "[[Café ☕|日本語]]\n", links=[W("Café ☕", None, "日本語", False, 1, 1)]),
    Case("s1-repeated-on-a-line", "[[a]] and [[a]] and [[a]]\n",
         links=[W("a", None, None, False, 1, c) for c in (1, 11, 21)]),
    Case("s1-second-line", "line one\nline [[two]] [[two]]\n",
         links=[W("two", None, None, False, 2, 6), W("two", None, None, False, 2, 14)]),
    Case("s1-list-item", "- item [[x]]\n  - nested [[y]]\n",
         links=[W("x", None, None, False, 1, 8), W("y", None, None, False, 2, 12)]),
    Case("s1-ordered-list", "1. first [[x]]\n", links=[W("x", None, None, False, 1, 10)]),
    Case("s1-quote", "> [[q]]\n> > deep [[r]]\n",
         links=[W("q", None, None, False, 1, 3), W("r", None, None, False, 2, 10)]),
    Case("s7-callout-body", "> [!note] Title\n> see [[c]]\n", links=[W("c", None, None, False, 2, 7)]),
    Case("s1-heading-text", "## See [[Other]]\n", links=[W("Other", None, None, False, 1, 8)]),
    Case("s11-emphasis-inside", "[[a*b*c]]\n", links=[W("a*b*c", None, None, False, 1, 1)]),
    Case("s11-reference-definition", "[[Note]]\n\n[Note]: http://example.com\n",
         links=[W("Note", None, None, False, 1, 1)]),
    Case("s1-no-nesting", "[[a [[b]]\n", links=[W("b", None, None, False, 1, 5)]),
    Case("s1-one-line-only", "[[a\nb]]\n", links=[]),
    Case("s1-empty", "[[]] and ![[]]\n", links=[]),
    Case("s11-table-escaped-pipe", "| a | b |\n|---|---|\n| [[Note\\|alias]] | ![[img.png\\|200]] |\n",
         links=[W("Note", None, "alias", False, 3, 3), W("img.png", None, "200", True, 3, 21)]),
    Case("s11-table-repeated", "| a | b |\n| --- | --- |\n| [[x]] | [[x]] |\n",
         links=[W("x", None, None, False, 3, 3), W("x", None, None, False, 3, 11)]),
    Case("s11-front-matter-offset", "---\ntitle: x\ntags: [a]\n---\n\n[[Note]]\n",
         links=[W("Note", None, None, False, 6, 1)]),
    Case("s5-front-matter-link", '---\nup: "[[Hub#Top]]"\nrelated:\n  - "[[A]]"\n---\n',
         links=[W("Hub", "#Top", None, False, 2, 6), W("A", None, None, False, 4, 6)]),
    Case("s5-front-matter-text-not-link", "---\nnote: see [[A]] later\n---\n", links=[]),
    # -- ignored regions (§1, §6, §9) --------------------------------------------------
    Case("s1-code-span", "`[[x]]` [[y]]\n", links=[W("y", None, None, False, 1, 9)]),
    Case("s1-double-backtick-span", "``a ` [[x]]`` [[y]]\n", links=[W("y", None, None, False, 1, 15)]),
    Case("s1-fenced-code", "```\n[[x]]\n```\n~~~md\n[[z]]\n~~~\n[[y]]\n", links=[W("y", None, None, False, 7, 1)]),
    Case("s1-indented-code", "    [[code]]\n\n[[real]]\n", links=[W("real", None, None, False, 3, 1)]),
    Case("s9-html-comment-block", "<!-- [[x]]\n[[y]] -->\n\n[[z]]\n", links=[W("z", None, None, False, 4, 1)]),
    Case("s9-inline-html-comment", "a <!-- [[x]] --> [[y]]\n", links=[W("y", None, None, False, 1, 18)]),
    Case("s6-inline-comment", "a %%[[x]]%% [[y]]\n", links=[W("y", None, None, False, 1, 13)]),
    Case("s6-block-comment", "%%\n[[x]]\n\n# Hidden\n%%\n[[y]]\n",
         links=[W("y", None, None, False, 6, 1)], headings=[]),
    Case("s6-comment-across-paragraphs", "a %% start\n\n[[x]] #t\n\nend %% [[y]]\n",
         links=[W("y", None, None, False, 5, 8)], tags=[]),
    Case("s6-percent-in-code-span", "`%%` [[y]] `%%`\n", links=[W("y", None, None, False, 1, 6)]),
    Case("s6-percent-in-fence", "```\n%%\n```\n[[y]]\n", links=[W("y", None, None, False, 4, 1)]),
    Case("s6-two-comments-on-a-line", "%%a%% [[x]] %%b%% [[y]]\n",
         links=[W("x", None, None, False, 1, 7), W("y", None, None, False, 1, 19)]),
    # -- Markdown links (§10) ----------------------------------------------------------
    Case("s10-percent-encoded", "[t](My%20Note.md#Some%20Heading)\n",
         links=[M("My Note.md", "#Some Heading", "t", False, 1, 1)]),
    Case("s10-plain", "see [t](Note.md)\n", links=[M("Note.md", None, "t", False, 1, 5)]),
    Case("s10-without-md", "[t](Folder/Note)\n", links=[M("Folder/Note", None, "t", False, 1, 1)]),
    Case("s10-angle-brackets", "[x](<My Note.md#My Heading>)\n",
         links=[M("My Note.md", "#My Heading", "x", False, 1, 1)]),
    Case("s10-title", '[t](a.md "title") [u](b.md \'t\') [v](c.md (t))\n',
         links=[M("a.md", None, "t", False, 1, 1), M("b.md", None, "u", False, 1, 19),
                M("c.md", None, "v", False, 1, 33)]),
    Case("s10-external", "[g](https://x.com) [m](mailto:a@b.c) [o](obsidian://open?vault=V) [p](//host/x) [[ok]]\n",
         links=[W("ok", None, None, False, 1, 81)]),
    Case("s10-image", "![alt](pic.png)\n", links=[M("pic.png", None, "alt", True, 1, 1)]),
    Case("s10-same-note", "[x](#Heading)\n", links=[M("", "#Heading", "x", False, 1, 1)]),
    Case("s10-bare-hash-and-empty", "[x](#) [y](<>)\n", links=[]),
    Case("s10-unencoded-space", "[x](My Note.md)\n", links=[]),
    Case("s10-escaped", "\\[x](a.md)\n", links=[]),
    Case("s10-nested-brackets", "[a [b] c](x.md)\n", links=[M("x.md", None, "a [b] c", False, 1, 1)]),
    Case("s10-parentheses", "[t](a(b).md)\n", links=[M("a(b).md", None, "t", False, 1, 1)]),
    Case("s10-repeated", "[t](a.md) [t](a.md)\n",
         links=[M("a.md", None, "t", False, 1, 1), M("a.md", None, "t", False, 1, 11)]),
    Case("s10-code-span", "`[t](a.md)` [u](b.md)\n", links=[M("b.md", None, "u", False, 1, 13)]),
    Case("s10-wikilink-first", "[[a]](b.md)\n", links=[W("a", None, None, False, 1, 1)]),
    Case("s10-relative", "[t](../up/Note.md)\n", links=[M("../up/Note.md", None, "t", False, 1, 1)]),
    Case("s10-encoded-hash-in-name", "[t](C%23%20notes.md)\n", links=[M("C# notes.md", None, "t", False, 1, 1)]),
    Case("s10-in-list", "- [t](a.md) and [[b]]\n",
         links=[W("b", None, None, False, 1, 17), M("a.md", None, "t", False, 1, 3)]),
    # -- tags (§4) ---------------------------------------------------------------------
    Case("s4-inline", "a #tag b\n", tags=[T("tag", 1, 3)]),
    Case("s4-line-start", "#tag at start\n", tags=[T("tag", 1, 1)], headings=[]),
    Case("s4-nested", "#inbox/to-read\n", tags=[T("inbox/to-read", 1, 1)]),
    Case("s4-numbers", "#1984 #y1984 #2024-01\n", tags=[T("y1984", 1, 7), T("2024-01", 1, 14)]),
    Case("s4-mid-word", "a#b issue#12 x\n", tags=[]),
    Case("s4-escaped", "\\#x #y\n", tags=[T("y", 1, 5)]),
    Case("s4-code", "`#x` #y\n", tags=[T("y", 1, 6)]),
    Case("s4-fence", "```\n#x\n```\n", tags=[]),
    Case("s4-in-heading", "# Heading #tag\n", tags=[T("tag", 1, 11)], headings=[H(1, "Heading #tag", 1)]),
    Case("s4-bold", "**#bold** text\n", tags=[T("bold", 1, 3)]),
    Case("s4-ends-at-punctuation", "#tag. #two, #three! #four's\n",
         tags=[T("tag", 1, 1), T("two", 1, 7), T("three", 1, 13), T("four", 1, 21)]),
    Case("s4-ends-at-general-punctuation", "#tag\u2014x #a\u2026\n", tags=[T("tag", 1, 1), T("a", 1, 8)]),
    Case("s4-unicode", "#café #日本 #🚀launch\n", tags=[T("café", 1, 1), T("日本", 1, 7), T("🚀launch", 1, 11)]),
    Case("s4-repeated", "#x and #x\n", tags=[T("x", 1, 1), T("x", 1, 8)]),
    Case("s4-not-in-links", "[[Note#Heading]] [t](N.md#Head) #real\n", tags=[T("real", 1, 33)]),
    Case("s4-lone-hash", "# \n\n#\n", tags=[]),
    Case("s4-in-list-and-quote", "- item #a\n> quote #b\n", tags=[T("a", 1, 8), T("b", 2, 9)]),
    Case("s4-in-comments", "%% #a %% <!-- #b --> #c\n", tags=[T("c", 1, 22)]),
    Case("s4-front-matter-block-list", "---\ntags:\n  - recipe\n  - cooking/quick\n---\n",
         tags=[T("recipe", 2), T("cooking/quick", 2)]),
    Case("s4-front-matter-flow-list", "---\ntitle: x\ntags: [a, b]\n---\n", tags=[T("a", 3), T("b", 3)]),
    Case("s4-front-matter-hash-quoted", '---\ntags:\n  - "#x"\n  - #comment\n---\n', tags=[T("x", 2)]),
    Case("s4-front-matter-any-case", "---\nTags: [a]\n---\n", tags=[T("a", 2)]),
    Case("s4-front-matter-comma-string", "---\ntags: book, business\n---\n",
         tags=[T("book", 2), T("business", 2)], problems=["front-matter-tags"]),
    Case("s4-front-matter-one-string", "---\ntags: one\n---\n", tags=[T("one", 2)]),
    Case("s4-front-matter-deprecated-tag", "---\ntag: [x]\n---\n", tags=[T("x", 2)], problems=["front-matter-tags"]),
    Case("s4-front-matter-invalid-dropped", "---\ntags: [ok, '1984', 'has space']\n---\n", tags=[T("ok", 2)]),
    Case("s4-front-matter-and-inline-merged", "---\ntags: [a]\n---\ntext #b\n", tags=[T("a", 2), T("b", 4, 6)]),
    # -- headings (§2, §8) ---------------------------------------------------------------
    Case("s8-atx-levels", "# One\n## Two ##\n###### Six\n####### Seven\n",
         headings=[H(1, "One", 1), H(2, "Two", 2), H(6, "Six", 3)]),
    Case("s8-no-space", "##Heading\n#Tag\n", headings=[], tags=[T("Tag", 2)]),
    Case("s8-setext", "Title\n===\n\nSub\n---\n", headings=[H(1, "Title", 1), H(2, "Sub", 4)]),
    Case("s8-indented-up-to-three", "   # Three\n", headings=[H(1, "Three", 1)]),
    Case("s2-awkward-text", "## C# tips: a | b ^ [x] 100% `code` **bold**\n",
         headings=[H(2, "C# tips: a | b ^ [x] 100% `code` **bold**", 1)]),
    Case("s2-heading-in-quote", "> # Quoted\n", headings=[H(1, "Quoted", 1, False)]),
    Case("s2-heading-in-callout", "> [!tip] T\n> ## Inside\n", headings=[H(2, "Inside", 2, False)]),
    Case("s2-heading-after-quote", "> quote\n# After\n> [!tip] T\n## Also after\n",
         headings=[H(1, "After", 2), H(2, "Also after", 4)]),
    Case("s2-heading-in-list", "- # Listed\n", headings=[H(1, "Listed", 1, False)]),
    Case("s2-heading-in-fence", "```\n# not\n```\n", headings=[]),
    Case("s2-heading-in-html", "<div>\n\n# inside html block?\n\n</div>\n", headings=[H(1, "inside html block?", 3)]),
    Case("s2-heading-after-front-matter", "---\na: 1\n---\n# T\n", headings=[H(1, "T", 4)]),
    Case("s6-heading-holding-comment", "# Title %%c%%\n", headings=[H(1, "Title", 1, False)]),
    # -- aliases (§1 step 6, §4) ------------------------------------------------------------
    Case("s4-aliases-flow", "---\naliases: [AI, Artificial Intelligence]\n---\n",
         aliases=("AI", "Artificial Intelligence")),
    Case("s4-aliases-block", "---\naliases:\n  - One\n  - Two\n---\n", aliases=("One", "Two")),
    Case("s4-aliases-none", "# x\n", aliases=()),
    # -- block ids (§3) -------------------------------------------------------------------
    Case("s3-paragraph", "para text ^abc-1\n", block_ids=("abc-1",)),
    Case("s3-list-item", "- item ^li\n- other\n", block_ids=("li",)),
    Case("s3-own-line", "> quote\n\n^qid\n", block_ids=("qid",)),
    Case("s3-last-line-only", "first ^no\nsecond\n", block_ids=()),
    Case("s3-needs-space", "text^no\n", block_ids=()),
    Case("s3-latin-digits-dashes", "a ^a_b\n\nb ^ok-2\n", block_ids=("ok-2",)),
    Case("s3-in-code-span", "`x ^no`\n", block_ids=()),
    Case("s3-in-comment", "%% a ^no %%\n", block_ids=()),
]


@pytest.mark.parametrize("case", PARSE_CASES, ids=[c.id for c in PARSE_CASES])
def test_parse_case(case: Case) -> None:
    note = parse_text("note.md", case.text)
    if case.links is not None:
        assert sorted(note.links, key=_link_key) == sorted(case.links, key=_link_key)
    if case.tags is not None:
        assert list(note.tags) == case.tags
    if case.headings is not None:
        assert list(note.headings) == case.headings
    if case.aliases is not None:
        assert note.aliases == case.aliases
    if case.block_ids is not None:
        assert note.block_ids == case.block_ids
    assert [p.rule for p in note.problems] == case.problems


def _link_key(link: Link) -> tuple[int, int]:
    return link.line, link.column


def test_the_table_is_big_enough() -> None:
    assert len(PARSE_CASES) + len(RESOLVE_CASES) >= 60
    assert len({c.id for c in PARSE_CASES}) == len(PARSE_CASES)


# -- resolution across a vault (§1 "Resolution", §2, §3, §10) ----------------------------

VAULT = {
    "Note.md": "# Top\n## Sub\n### Deep\n## Notes\n# Second\n## Notes\n### Deep\n",
    "Folder/Note.md": "# In folder\n",
    "Folder/Source.md": "x\n",
    "Folder/Sub/Story.md": "# Story heading\n",
    "A/Story.md": "# Short\n",
    "Root.md": "# Root\n",
    "Unique.md": "---\naliases: [Alias Name]\n---\n# U\n",
    "My Note.md": "# Some Heading\n",
    "Blocks.md": "para ^blk-1\n\n- item ^li-2\n",
    "Awkward.md": ("# Foo: bar\n# C# tips\n# A | B\n# x^2\n# **Bold** text\n# _italic_ word\n"
                   "# See [[Other|alias]]\n# 100% done\n# Café ☕\n# 日本語\n"),
    "b/Target.md": "# T\n",
    "xb/Target.md": "# X\n",
    "Quoted.md": "> # In quote\n",
}
OTHERS = ("img.png", "Folder/doc.pdf")

# (source note, markup, expected resolved path, expected heading_found)
RESOLVE_CASES = [
    ("Root.md", "[[note]]", "Note.md", None),
    ("Root.md", "[[NOTE.MD]]", "Note.md", None),
    ("Root.md", "[[Unique]]", "Unique.md", None),
    ("Folder/Source.md", "[[Note]]", "Note.md", None),  # exact vault path wins over the source folder
    ("Folder/Source.md", "[[Folder/Note]]", "Folder/Note.md", None),
    ("Folder/Source.md", "[[./Note]]", "Folder/Note.md", None),
    ("Folder/Source.md", "[[../Note]]", "Note.md", None),
    ("Folder/Source.md", "[[Story]]", "Folder/Sub/Story.md", None),  # under the source folder first
    ("Root.md", "[[Story]]", "A/Story.md", None),  # then the shortest path
    ("Root.md", "[[Sub/Story]]", "Folder/Sub/Story.md", None),
    ("Root.md", "[[/Note]]", "Note.md", None),
    ("Root.md", "[[b/Target]]", "b/Target.md", None),
    ("Root.md", "[[Unique|Alias Name]]", "Unique.md", None),
    ("Root.md", "![[img.png]]", "img.png", None),
    ("Root.md", "[[doc.pdf]]", "Folder/doc.pdf", None),
    ("Root.md", "[[Note#Top]]", "Note.md", True),
    ("Root.md", "[[note#TOP]]", "Note.md", True),
    ("Root.md", "[[Note#Top#Deep]]", "Note.md", True),
    ("Root.md", "[[Note#Notes]]", "Note.md", True),
    ("Root.md", "[[Note#Second#Notes]]", "Note.md", True),
    ("Root.md", "[[Note#Second#Deep]]", "Note.md", True),
    ("Note.md", "[[#Sub]]", "Note.md", True),
    ("Note.md", "[[#Top#Notes]]", "Note.md", True),
    ("Root.md", "[[Blocks#^blk-1]]", "Blocks.md", True),
    ("Root.md", "![[Blocks#^li-2]]", "Blocks.md", True),
    ("Root.md", "[[Awkward#Foo bar]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#foo: BAR]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#C tips]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#A B]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#x 2]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#**Bold** text]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#Bold text]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#_italic_ word]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#See Other alias]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#100% done]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#café ☕]]", "Awkward.md", True),
    ("Root.md", "[[Awkward#日本語]]", "Awkward.md", True),
    ("Root.md", "[t](My%20Note.md#Some%20Heading)", "My Note.md", True),
    ("Folder/Source.md", "[t](../My%20Note.md)", "My Note.md", None),
    ("Root.md", "[t](Folder/Note.md#In%20folder)", "Folder/Note.md", True),
    ("Note.md", "[t](#Second)", "Note.md", True),
    ("Root.md", "[t](Awkward.md#foo-bar)", "Awkward.md", True),  # a GitHub id, as Jekyll/Hugo vaults write
    ("Root.md", "[t](Note.md#notes-1)", "Note.md", True),  # the second "Notes" on GitHub
]

# Each way a link can break: (source, markup, resolved, heading_found)
BROKEN_CASES = [
    ("Root.md", "[[Missing]]", None, None),  # no such note
    ("Root.md", "[[Missing#Top]]", None, None),  # no note, so no heading to check
    ("Root.md", "[[Alias Name]]", None, None),  # an alias is a display name, never a target
    ("Root.md", "[[img]]", None, None),  # a non-Markdown file needs its extension
    ("Root.md", "[[Wrong/Note]]", None, None),  # a folder that does not hold it
    ("Root.md", "[[/Story]]", None, None),  # a leading / only matches a full path
    ("Root.md", "[[C# notes]]", None, None),  # a `#` in a name is a subpath: `C` is not a note
    ("Root.md", "[[Note#Missing]]", "Note.md", False),  # opens the note, but not at a heading
    ("Root.md", "[[Note#Deep#Top]]", "Note.md", False),  # a chain goes down, never up
    ("Root.md", "[[Note#Sub#Second]]", "Note.md", False),  # Second is not under Sub
    ("Root.md", "[[Note#Top#Top]]", "Note.md", False),  # each segment needs its own heading
    ("Root.md", "[[Blocks#^missing]]", "Blocks.md", False),  # no such block id
    ("Note.md", "[[#Nowhere]]", "Note.md", False),  # same-note heading missing
    ("Root.md", "[t](My%20Note.md#Other%20Heading)", "My Note.md", False),
    ("Root.md", "[t](Missing.md)", None, None),
    ("Root.md", "[[Awkward#foo-bar]]", "Awkward.md", False),  # Obsidian never reads GitHub ids
    ("Root.md", "[t](Note.md#notes-2)", "Note.md", False),  # only two "Notes" headings
    ("Root.md", "[[Quoted#In quote]]", "Quoted.md", False),  # lpvault never targets quoted headings
]


@pytest.fixture(scope="module")
def vault():
    config = Config()
    analyses = {path: Analysis(parse_text(path, text), ()) for path, text in VAULT.items()}
    return assemble(config, make_catalog(config), analyses, OTHERS)


def _only_link(markup: str) -> Link:
    links = parse_text("x.md", markup + "\n").links
    assert len(links) == 1, links
    return links[0]


@pytest.mark.parametrize("source, markup, resolved, found", RESOLVE_CASES + BROKEN_CASES,
                         ids=[f"{s}:{m}" for s, m, _, _ in RESOLVE_CASES + BROKEN_CASES])
def test_resolve_case(vault, source: str, markup: str, resolved: str | None, found: bool | None) -> None:
    assert resolve_link(vault, source, _only_link(markup)) == (resolved, found)


def test_md_link_with_an_unencoded_space_breaks_by_not_being_a_link() -> None:
    assert parse_text("x.md", "[t](My Note.md)\n").links == ()


def test_generated_index_notes_are_link_targets_before_they_are_written(vault) -> None:
    """`[[Customer Obsession]]` opens the principle's index note (SPEC §4)."""
    link = _only_link("[[Customer Obsession]]")
    assert resolve_link(vault, "Root.md", link) == ("LP Index/Customer Obsession.md", None)


def test_link_graph_covers_every_link_in_order() -> None:
    config = Config()
    notes = {"b.md": "[[a#x]] [[zz]]\n", "a.md": "# x\n[[b]]\n"}
    analyses = {p: Analysis(parse_text(p, t), ()) for p, t in notes.items()}
    edges = list(link_graph(assemble(config, make_catalog(config), analyses)))
    assert [(e.source, e.link.target, e.resolved, e.heading_found) for e in edges] == [
        ("a.md", "b", "b.md", None), ("b.md", "a", "a.md", True), ("b.md", "zz", None, None)]


# -- links lpvault writes are read back before they are written (§12) -----------------------

WRITER_NOTE = "# A\n\n## Notes\n\nx\n\n# B\n\n## Notes\n\ny\n"


@pytest.fixture
def writer():
    from lpvault.index import LinkWriter

    config = Config()
    analyses = {"Story note.md": Analysis(parse_text("Story note.md", WRITER_NOTE), ())}
    return LinkWriter(assemble(config, make_catalog(config), analyses))


def _story(anchor: str, line: int):
    from lpvault.model import Story

    return Story(note="Story note.md", title="Title | with [brackets]", line=line, end_line=line, anchor=anchor)


@pytest.mark.parametrize("anchor, line, written", [
    ("Notes", 5, "[[Story note#Notes|Title / with (brackets)]]"),
    ("B#Notes", 11, "[[Story note#B#Notes|Title / with (brackets)]]"),
    ("", 5, "[[Story note|Title / with (brackets)]]"),
    # the checks: each falls back to the note itself
    ("Missing", 5, "[[Story note|Title / with (brackets)]]"),  # opens no heading
    ("A#Notes", 5, "[[Story note|Title / with (brackets)]]"),  # opens it, but not in lpvault's form
    ("B", 5, "[[Story note|Title / with (brackets)]]"),  # a heading after the story: not its heading
    ("Notes|x", 5, "[[Story note|Title / with (brackets)]]"),  # a | would cut the subpath short
])
def test_written_story_links_are_checked(writer, anchor: str, line: int, written: str) -> None:
    assert writer.to_story(_story(anchor, line), "LP Index/Dive Deep.md") == written


def test_links_in_table_cells_escape_the_bar(writer) -> None:
    assert writer.to_note("Story note.md", "shown", "LP Index/x.md", "Notes", table=True) == "[[Story note#Notes\\|shown]]"
    assert writer.to_principle("Dive Deep", "LP Index/x.md", table=True) == "[[Dive Deep]]"


# -- `lpvault notes`: the parsed metadata, for scripting and for checking us ----------------


def _notes_json(root) -> list[dict]:
    import json

    from click.testing import CliRunner

    from lpvault.cli import main

    result = CliRunner().invoke(main, ["notes", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_notes_json_shape(tmp_path) -> None:
    (tmp_path / "Folder").mkdir()
    (tmp_path / "Folder" / "Note.md").write_text("# Top\n", encoding="utf-8")
    (tmp_path / "Source.md").write_text(
        "---\ntags: [a]\naliases: [S]\ndate: 2024-01-05\n---\n# Head #b\n"
        "[[Note#Top|t]] ![[Note#Nope]] [m](Missing.md) #A\n", encoding="utf-8")
    records = {r["path"]: r for r in _notes_json(tmp_path)}
    assert sorted(records) == ["Folder/Note.md", "Source.md"]
    source = records["Source.md"]
    assert source["title"] == "Source" and source["aliases"] == ["S"]
    assert source["tags"] == ["a", "b"]  # `#A` is `#a` again: tags are case-insensitive
    assert source["headings"] == [{"level": 1, "text": "Head #b", "line": 6}]
    assert source["front_matter"] == {"tags": ["a"], "aliases": ["S"], "date": "2024-01-05"}
    assert source["links"] == [
        {"target": "Note", "subpath": "#Top", "alias": "t", "embed": False, "line": 7, "column": 1,
         "resolved": "Folder/Note.md", "heading_found": True},
        {"target": "Note", "subpath": "#Nope", "alias": None, "embed": True, "line": 7, "column": 16,
         "resolved": "Folder/Note.md", "heading_found": False},
        {"target": "Missing.md", "subpath": None, "alias": "m", "embed": False, "line": 7, "column": 31,
         "resolved": None, "heading_found": None},
    ]
    assert records["Folder/Note.md"]["front_matter"] is None


def test_notes_table(tmp_path) -> None:
    from click.testing import CliRunner

    from lpvault.cli import main

    (tmp_path / "a.md").write_text("# A\n[[b]] [[zz]] #t\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["notes", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "path  headings  links  broken  tags",
        "a.md  1         2      1       #t",
        "b.md  0         0      0",
    ]


@pytest.mark.parametrize("name", ["C# notes.md", "a^b.md", "Time: 10.md", "x [1].md", "50%% off.md", "A|B.md"])
def test_a_file_name_no_wikilink_can_open_is_named_not_linked(name: str) -> None:
    from lpvault.index import LinkWriter
    from lpvault.model import Story

    config = Config()
    analyses = {name: Analysis(parse_text(name, "# Top\n\nx\n"), ())}
    writer = LinkWriter(assemble(config, make_catalog(config), analyses))
    written = writer.to_story(Story(note=name, title="Title", line=3, end_line=3, anchor="Top"), "LP Index/x.md")
    assert written == f"Title (in ` {name} `: rename it without # | ^ : [ ] to link it)"
    assert parse_text("LP Index/x.md", f"- {written}\n").links == ()
