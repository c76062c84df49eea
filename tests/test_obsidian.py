"""Table-driven tests of lpvault.obsidian against /work/shared/OBSIDIAN.md.

Every case comes from a [DOC] or [RE] rule of OBSIDIAN.md (section in the id),
or from an lpvault writing rule (section 12); none from the [UNCERTAIN] ones.
"""
from __future__ import annotations

import datetime

import pytest

from lpvault.model import Heading
from lpvault.obsidian import (
    TAG_RE,
    WIKILINK_RE,
    LinkResolver,
    decode_md_destination,
    encode_md_anchor,
    encode_md_fragment,
    encode_md_path,
    escape_display,
    find_tags,
    find_wikilinks,
    front_matter_tags,
    has_link_breaking_chars,
    heading_anchor,
    heading_key,
    is_external,
    is_valid_tag,
    parse_linktext,
    resolve_block,
    resolve_subpath,
    safe_file_name,
    strip_heading,
    strip_heading_for_link,
)

# ---------------------------------------------------------------------------
# §1 Resolution: (notes, other files, linkpath, source, expected)
# ---------------------------------------------------------------------------

RESOLVE_CASES = [
    ("case-insensitive", ["Projects/Alpha.md"], [], "alpha", "x.md", "Projects/Alpha.md"),
    ("case-insensitive-folder", ["a/Note.md", "b/Note.md"], [], "A/NOTE", "s.md", "a/Note.md"),
    ("md-equivalent", ["Projects/Alpha.md"], [], "Alpha.md", "x.md", "Projects/Alpha.md"),
    ("md-equivalent-upper", ["Projects/Alpha.md"], [], "ALPHA.MD", "x.md", "Projects/Alpha.md"),
    ("unique-name-anywhere", ["deep/down/Gamma.md"], [], "Gamma", "other/s.md", "deep/down/Gamma.md"),
    ("same-folder-first", ["a/Note.md", "b/c/Note.md"], [], "Note", "b/c/s.md", "b/c/Note.md"),
    ("same-folder-beats-shorter", ["Topic/x/Note.md", "q/Note.md"], [], "Note", "Topic/x/s.md",
     "Topic/x/Note.md"),
    ("shortest-path", ["a/b/Note.md", "c/Note.md"], [], "Note", "z/s.md", "c/Note.md"),
    ("exact-root-wins", ["Note.md", "a/Note.md"], [], "Note", "a/s.md", "Note.md"),
    ("exact-full-path", ["a/Note.md", "b/Note.md"], [], "b/Note", "a/s.md", "b/Note.md"),
    ("leading-slash-exact", ["a/Note.md", "b/Note.md"], [], "/b/Note", "a/s.md", "b/Note.md"),
    ("leading-slash-no-exact", ["x/a/Note.md", "y/Note.md"], [], "/a/Note", "s.md", None),
    ("leading-slash-unique-name", ["a/Note.md"], [], "/Note", "s.md", None),
    ("dot-slash", ["a/Note.md", "b/Note.md"], [], "./Note", "b/s.md", "b/Note.md"),
    ("dot-dot-slash", ["a/Note.md", "b/Note.md"], [], "../a/Note", "b/s.md", "a/Note.md"),
    ("dot-dot-slash-up-one", ["b/Note.md", "b/c/Note.md"], [], "../Note", "b/c/s.md", "b/Note.md"),
    ("endswith-quirk", ["a/b/Note.md", "xb/Note.md"], [], "b/Note", "s.md", "xb/Note.md"),
    ("partial-folder-suffix", ["p/2024/Plan.md", "q/Plan.md"], [], "2024/Plan", "s.md", "p/2024/Plan.md"),
    ("attachment-with-ext", ["n.md"], ["img/Figure 1.png"], "Figure 1.png", "n.md", "img/Figure 1.png"),
    ("attachment-needs-ext", ["n.md"], ["img/Figure 1.png"], "Figure 1", "n.md", None),
    ("dot-in-note-name", ["v1.2 notes.md"], [], "v1.2 notes", "s.md", "v1.2 notes.md"),
    ("no-match", ["a/Note.md"], [], "Missing", "s.md", None),
    ("same-note", ["a/s.md"], [], "", "a/s.md", "a/s.md"),
]


@pytest.mark.parametrize("notes,others,linkpath,source,expected",
                         [c[1:] for c in RESOLVE_CASES], ids=[c[0] for c in RESOLVE_CASES])
def test_resolve(notes, others, linkpath, source, expected):
    assert LinkResolver(notes, other_files=others).resolve(linkpath, source) == expected


CANDIDATE_CASES = [
    ("near-then-far-by-length", ["z/long/er/Note.md", "b/Note.md", "z/Note.md", "a/bb/Note.md"], "Note",
     "z/s.md", ["z/Note.md", "z/long/er/Note.md", "b/Note.md", "a/bb/Note.md"]),
    ("leading-slash-nothing", ["x/Note.md", "y/Note.md"], "/Note", "s.md", []),
]


@pytest.mark.parametrize("notes,linkpath,source,expected",
                         [c[1:] for c in CANDIDATE_CASES], ids=[c[0] for c in CANDIDATE_CASES])
def test_candidates_order(notes, linkpath, source, expected):
    assert LinkResolver(notes).candidates(linkpath, source) == expected


LINK_PATH_CASES = [
    ("unique-bare", ["a/Note.md", "b/Other.md"], [], "a/Note.md", "Note"),
    ("duplicate-full", ["a/Note.md", "b/Note.md"], [], "a/Note.md", "a/Note"),
    ("duplicate-case-insensitive", ["a/Note.md", "b/note.md"], [], "b/note.md", "b/note"),
    ("root-duplicate", ["Note.md", "b/Note.md"], [], "Note.md", "Note"),
    ("attachment-keeps-ext", ["n.md"], ["img/Figure 1.png"], "img/Figure 1.png", "Figure 1.png"),
    ("other-extension-no-clash", ["Note.md"], ["img/Note.png"], "Note.md", "Note"),
    ("not-yet-in-vault", ["a/Note.md"], [], "Index/Hub.md", "Hub"),
    ("not-yet-in-vault-clash", ["a/Hub.md"], [], "Index/Hub.md", "Index/Hub"),
]


@pytest.mark.parametrize("notes,others,target,expected",
                         [c[1:] for c in LINK_PATH_CASES], ids=[c[0] for c in LINK_PATH_CASES])
def test_link_path_for(notes, others, target, expected):
    resolver = LinkResolver(notes, other_files=others)
    assert resolver.link_path_for(target) == expected
    if target in resolver:  # what we write opens the target from any note
        for source in ["s.md", "a/s.md", "b/s.md", "img/s.md"]:
            assert resolver.resolve(expected, source) == target


def test_link_path_for_many_files_is_fast():
    notes = [f"f{i % 50}/n{i}.md" for i in range(20_000)] + ["x/dup.md", "y/dup.md"]
    resolver = LinkResolver(notes)
    assert resolver.link_path_for("f3/n3.md") == "n3"
    assert resolver.link_path_for("y/dup.md") == "y/dup"
    assert resolver.resolve("dup", "y/s.md") == "y/dup.md"


# ---------------------------------------------------------------------------
# §2 stripHeading / stripHeadingForLink: the worked table, verbatim
# ---------------------------------------------------------------------------

STRIP_TABLE = [
    ("Foo: bar", "Foo bar", "Foo bar"),
    ("C# tips", "C tips", "C tips"),
    ("A \\| B", "A B", "A B"),
    ("x^2", "x 2", "x 2"),
    ("**Bold** text", "Bold text", "**Bold** text"),
    ("_italic_ word", "_italic_ word", "_italic_ word"),
    ("See [[Other\\|alias]]", "See Other alias", "See Other alias"),
    ("[text](http://x.com)", "text http x com", "[text](http //x.com)"),
    ("100% done", "100 done", "100% done"),
    ("==hi== ~~no~~ `code`", "hi no code", "==hi== ~~no~~ `code`"),
]


@pytest.mark.parametrize("heading,key,_", STRIP_TABLE, ids=[r[0] for r in STRIP_TABLE])
def test_strip_heading(heading, key, _):
    assert strip_heading(heading) == key


@pytest.mark.parametrize("heading,_,written", STRIP_TABLE, ids=[r[0] for r in STRIP_TABLE])
def test_strip_heading_for_link(heading, _, written):
    assert strip_heading_for_link(heading) == written
    # §2: what we write always matches again
    assert heading_key(written) == heading_key(heading)


HEADING_KEY_CASES = [
    ("Links are first-class citizens", "links are first-class citizens"),  # `-` kept
    ("Don't   stop", "don't stop"),  # `'` kept, spaces collapse
    ("  Café – naïve 🎉 ", "café – naïve 🎉"),  # non-ASCII kept, ends trimmed
    ("!!!", ""),
]


@pytest.mark.parametrize("heading,key", HEADING_KEY_CASES)
def test_heading_key(heading, key):
    assert heading_key(heading) == key


# ---------------------------------------------------------------------------
# §2 Subheading chains and duplicates
# ---------------------------------------------------------------------------

H = [
    Heading(1, "A", 1),          # 0
    Heading(2, "Notes", 3),      # 1
    Heading(1, "B", 5),          # 2
    Heading(2, "Notes", 7),      # 3
    Heading(3, "x", 9),          # 4
    Heading(1, "C", 11),         # 5
    Heading(2, "x", 13),         # 6
    Heading(2, "Foo: bar", 15),  # 7
    Heading(2, "Quoted", 17, targetable=False),  # 8
    Heading(2, "!!!", 19),       # 9
]

SUBPATH_CASES = [
    ("first-duplicate", "#Notes", 1),
    ("ancestor-picks-later", "#B#Notes", 3),
    ("ancestor-first", "#A#Notes", 1),
    ("never-leaves-parent-quirk", "#A#x", 4),
    ("chain-to-second-x", "#C#x", 6),
    ("case-insensitive", "#notes", 1),
    ("punctuation-ignored", "#Foo bar", 7),
    ("punctuation-written", "#Foo: bar", 7),
    ("no-match", "#B#Missing", None),
    ("same-level-not-child", "#A#B", None),
    ("empty-segments-dropped", "##A", 0),
    ("without-leading-hash", "B#Notes", 3),
    ("block-id-not-heading", "#^blk", None),
    ("untargetable-skipped", "#Quoted", None),
    ("empty-key-skipped", "#!!!", None),
]


@pytest.mark.parametrize("subpath,expected", [c[1:] for c in SUBPATH_CASES], ids=[c[0] for c in SUBPATH_CASES])
def test_resolve_subpath(subpath, expected):
    assert resolve_subpath(subpath, H) == expected


H2 = [
    Heading(1, "W1", 1),          # 0
    Heading(2, "Notes", 2),       # 1
    Heading(1, "W2", 3),          # 2
    Heading(2, "Notes", 4),       # 3
    Heading(3, "Notes", 5),       # 4
    Heading(2, "Dup", 6),         # 5
    Heading(2, "Dup", 7),         # 6
    Heading(2, "Title ^hid", 8),  # 7
    Heading(2, "[text](http://x.com)", 9),  # 8
]

ANCHOR_CASES = [
    ("plain", H, 0, "A"),
    ("first-duplicate-bare", H, 1, "Notes"),
    ("later-duplicate-chain", H, 3, "B#Notes"),
    ("first-x-bare", H, 4, "x"),
    ("second-x-chain", H, 6, "C#x"),
    ("strip-for-link", H, 7, "Foo bar"),
    ("untargetable", H, 8, None),
    ("strips-to-empty", H, 9, None),
    ("second-w2-notes", H2, 3, "W2#Notes"),
    ("nested-duplicate-shortest", H2, 4, "Notes#Notes"),
    ("unreachable-sibling", H2, 6, None),
    ("ends-in-block-id", H2, 7, None),
    ("brackets-fall-back-to-key", H2, 8, "text http x com"),
    ("out-of-range", H2, 99, None),
]


@pytest.mark.parametrize("headings,index,expected", [c[1:] for c in ANCHOR_CASES], ids=[c[0] for c in ANCHOR_CASES])
def test_heading_anchor(headings, index, expected):
    anchor = heading_anchor(headings, index)
    assert anchor == expected
    if anchor is not None:  # §12 rule 4: checked with the same walk
        assert resolve_subpath("#" + anchor, headings) == index


BLOCK_CASES = [
    ("exact", "#^abc-1", ["abc-1"], True),
    ("case-insensitive", "#^ABC", ["abc"], True),
    ("missing", "#^nope", ["abc"], False),
    ("heading-not-block", "#abc", ["abc"], False),
    ("bare-caret", "#^", ["abc"], False),
]


@pytest.mark.parametrize("subpath,ids,expected", [c[1:] for c in BLOCK_CASES], ids=[c[0] for c in BLOCK_CASES])
def test_resolve_block(subpath, ids, expected):
    assert resolve_block(subpath, ids) is expected


# ---------------------------------------------------------------------------
# §1 Link text and wikilinks
# ---------------------------------------------------------------------------

LINKTEXT_CASES = [
    ("Note", ("Note", None, None)),
    ("Note.md", ("Note.md", None, None)),
    ("Folder/Note", ("Folder/Note", None, None)),
    ("Note|Custom name", ("Note", None, "Custom name")),
    ("Note#Heading", ("Note", "#Heading", None)),
    ("Note#Heading#Subheading", ("Note", "#Heading#Subheading", None)),
    ("#Heading", ("", "#Heading", None)),
    ("Note#^blockid", ("Note", "#^blockid", None)),
    ("Folder/Note.md#H|alias", ("Folder/Note.md", "#H", "alias")),
    ("Basic formatting syntax\\|Markdown syntax", ("Basic formatting syntax", None, "Markdown syntax")),
    ("Engelbart.jpg|100x145", ("Engelbart.jpg", None, "100x145")),
    ("Example#Details", ("Example", "#Details", None)),
]


@pytest.mark.parametrize("text,expected", LINKTEXT_CASES, ids=[c[0] for c in LINKTEXT_CASES])
def test_parse_linktext(text, expected):
    assert parse_linktext(text) == expected


WIKILINK_CASES = [
    ("link-and-embed", "see [[Note]] and ![[img.png|100]]", [(4, "Note", False), (17, "img.png|100", True)]),
    ("no-nesting", "[[a [[b]]", [(4, "b", False)]),
    ("no-newline", "[[a\nb]]", []),
    ("empty", "[[]]", []),
    ("table-escaped-pipe", "| [[Note\\|alias]] |", [(2, "Note\\|alias", False)]),
    ("embed-block", "![[Note#^id]]", [(0, "Note#^id", True)]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in WIKILINK_CASES], ids=[c[0] for c in WIKILINK_CASES])
def test_find_wikilinks(text, expected):
    assert find_wikilinks(text) == expected
    assert len(WIKILINK_RE.findall(text)) == len(expected)


@pytest.mark.parametrize("name,expected", [
    ("C# tips", True), ("a|b", True), ("x^2", True), ("Time: now", True), ("[draft]", True),
    ("50%% off", True), ("100% done", False), ("Have Backbone; Disagree and Commit", False),
])
def test_has_link_breaking_chars(name, expected):
    assert has_link_breaking_chars(name) is expected


# ---------------------------------------------------------------------------
# §4 Tags
# ---------------------------------------------------------------------------

TAG_CASES = [
    ("all-digits", "#1984", []),
    ("letter-and-digits", "#y1984", [(0, "y1984")]),
    ("date-like", "#2024-01", [(0, "2024-01")]),
    ("nested", "#inbox/to-read", [(0, "inbox/to-read")]),
    ("underscore", "#to_do", [(0, "to_do")]),
    ("unicode", "#日本語", [(0, "日本語")]),
    ("emoji", "#🎉party", [(0, "🎉party")]),
    ("case-kept", "#TAG", [(0, "TAG")]),
    ("ends-at-period", "#tag.", [(0, "tag")]),
    ("ends-at-comma", "#tag, next", [(0, "tag")]),
    ("ends-at-apostrophe", "#tag's", [(0, "tag")]),
    ("ends-at-ellipsis", "#tag\u2026", [(0, "tag")]),
    ("ends-at-right-quote", "#it\u2019s", [(0, "it")]),
    ("ends-at-em-dash", "#a\u2014b", [(0, "a")]),
    ("ends-at-bracket", "#tag]", [(0, "tag")]),
    ("mid-word", "a#b", []),
    ("issue-number", "issue#12", []),
    ("escaped", "\\#x", []),
    ("after-space", "x #tag", [(2, "tag")]),
    ("after-newline", "line\n#next", [(5, "next")]),
    ("inside-bold", "**#bold**", [(2, "bold")]),
    ("two-tags", "#a #b", [(0, "a"), (3, "b")]),
    ("lone-hash", "# ", []),
    ("heading-like", "# heading", []),
    ("double-hash", "##Heading", []),
    ("url-fragment", "http://x.com/#frag", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in TAG_CASES], ids=[c[0] for c in TAG_CASES])
def test_find_tags(text, expected):
    assert find_tags(text) == expected


@pytest.mark.parametrize("tag,expected", [
    ("1984", False), ("y1984", True), ("#y1984", True), ("2024-01", True), ("a b", False),
    ("a.b", False), ("inbox/to-read", True), ("", False), ("#", False),
])
def test_is_valid_tag(tag, expected):
    assert is_valid_tag(tag) is expected


def test_tag_re_is_the_hb_class():
    assert TAG_RE.match("#a/b-c_d!").group(0) == "#a/b-c_d"
    assert TAG_RE.match("#\u2e80x").group(0) == "#\u2e80x"  # just past U+2E7F: allowed
    assert TAG_RE.match("#\u2e7f") is None


FRONT_MATTER_TAG_CASES = [
    ("block-list", ["recipe", "cooking"], (["recipe", "cooking"], False)),
    ("flow-list-with-hash", ["#x", "y"], (["x", "y"], False)),
    ("empty-items", ["a", None, "", "  "], (["a"], False)),
    ("invalid-items", ["1984", "has space", "ok/nested"], (["ok/nested"], False)),
    ("single-string", "single", (["single"], False)),
    ("comma-string", "book, business", (["book", "business"], True)),
    ("space-string", "foo bar", (["foo", "bar"], True)),
    ("hash-string", "#solo", (["solo"], False)),
    ("none", None, ([], False)),
    ("number", 2024, ([], False)),
    ("yaml-date-item", [datetime.date(2024, 1, 5)], (["2024-01-05"], False)),
]


@pytest.mark.parametrize("value,expected", [c[1:] for c in FRONT_MATTER_TAG_CASES],
                         ids=[c[0] for c in FRONT_MATTER_TAG_CASES])
def test_front_matter_tags(value, expected):
    assert front_matter_tags(value) == expected


# ---------------------------------------------------------------------------
# §10 Markdown links
# ---------------------------------------------------------------------------

ENCODE_PATH_CASES = [
    ("Three laws of motion.md", "Three%20laws%20of%20motion.md"),
    ("Folder/My Note.md", "Folder/My%20Note.md"),
    ("100% (draft).md", "100%25%20%28draft%29.md"),
    ("a<b>?.md", "a%3Cb%3E%3F.md"),
    ("Café.md", "Caf%C3%A9.md"),
    ("../Index/Hub.md", "../Index/Hub.md"),
]


@pytest.mark.parametrize("path,expected", ENCODE_PATH_CASES)
def test_encode_md_path(path, expected):
    assert encode_md_path(path) == expected


@pytest.mark.parametrize("heading,expected", [
    ("Details", "Details"), ("Foo: bar", "Foo%20bar"), ("C# tips", "C%20tips"), ("100% done", "100%25%20done"),
])
def test_encode_md_fragment(heading, expected):
    assert encode_md_fragment(heading) == expected


DECODE_CASES = [
    ("Three%20laws%20of%20motion.md", ("Three laws of motion.md", None)),
    ("Example.md#Details", ("Example.md", "Details")),
    ("<My%20Note.md#My%20Heading>", ("My Note.md", "My Heading")),
    ("#Local", ("", "Local")),
    ("Caf%C3%A9.md#A#B", ("Café.md", "A#B")),
]


@pytest.mark.parametrize("dest,expected", DECODE_CASES)
def test_decode_md_destination(dest, expected):
    assert decode_md_destination(dest) == expected


@pytest.mark.parametrize("path,heading", [
    ("Folder/My Note.md", "Foo: bar"), ("100% (draft).md", "C# tips"), ("Ünïcode ✓.md", "Käse & Brot"),
    ("a/b/c.md", "See [[Other|alias]]"),
])
def test_markdown_round_trip(path, heading):
    dest = encode_md_path(path) + "#" + encode_md_fragment(heading)
    assert " " not in dest
    assert decode_md_destination(dest) == (path, strip_heading_for_link(heading))


def test_encode_md_anchor_keeps_chain():
    assert encode_md_anchor("B#My Notes") == "B#My%20Notes"
    assert decode_md_destination("N.md#" + encode_md_anchor("B#My Notes")) == ("N.md", "B#My Notes")


@pytest.mark.parametrize("dest,expected", [
    ("https://x.com", True), ("mailto:a@b.c", True), ("obsidian://open?vault=x&file=N", True),
    ("Note.md", False), ("Folder/My%20Note.md", False), ("#Heading", False), ("../x.md", False),
])
def test_is_external(dest, expected):
    assert is_external(dest) is expected


# ---------------------------------------------------------------------------
# §1/§12 Names and display text we write
# ---------------------------------------------------------------------------

SAFE_NAME_CASES = [
    ("parent-traversal", "../../x", "x"),
    ("reserved", "CON", "CON_"),
    ("reserved-lower-ext", "con.txt", "con_.txt"),
    ("reserved-lpt", "LPT9", "LPT9_"),
    ("not-reserved", "Console", "Console"),
    ("slash", "a/b", "a-b"),
    ("backslash", "a\\b", "a-b"),
    ("colon", "x:y", "x - y"),
    ("readable", "Have Backbone; Disagree and Commit", "Have Backbone; Disagree and Commit"),
    ("dots-only", "..", "untitled"),
    ("empty", "", "untitled"),
    ("whitespace", "  Customer   Obsession  ", "Customer Obsession"),
    ("link-breakers", "C# tips [draft] ^x | 100%", "C tips (draft) x - 100"),
    ("question", "Why?", "Why"),
    ("controls", "tab\there\nnew\x00line", "tab here new line"),
    ("trailing-dot", "Learn and Be Curious.", "Learn and Be Curious"),
    ("nfc", "Cafe\u0301", "Café"),
]


@pytest.mark.parametrize("name,expected", [c[1:] for c in SAFE_NAME_CASES], ids=[c[0] for c in SAFE_NAME_CASES])
def test_safe_file_name(name, expected):
    assert safe_file_name(name) == expected


@pytest.mark.parametrize("name,max_len,expected", [
    ("a" * 300, 120, "a" * 120),
    ("word " * 40, 120, " ".join(["word"] * 24)),
    ("é" * 100, 9, "é" * 4),
    ("e\u0301" * 10, 5, "é" * 2),  # NFC first: é is 2 bytes
    ("Conclusion", 3, "Co"),  # "Con" is a device name and "Con_" would not fit
])
def test_safe_file_name_truncates(name, max_len, expected):
    assert safe_file_name(name, max_len=max_len) == expected


@pytest.mark.parametrize("name", [
    "../../x", "a/b\\c", "CON.md", "  ..  ", "x" * 500, "[[x]]|^#%%", "\x00\x01", "nul", "COM1.tar.gz",
    "👩‍👩‍👧" * 40, ".hidden", "emoji 🎉 title",
])
def test_safe_file_name_invariants(name):
    safe = safe_file_name(name)
    assert safe and safe not in (".", "..")
    assert "/" not in safe and "\\" not in safe
    assert not has_link_breaking_chars(safe)
    assert not safe.startswith((".", " ")) and not safe.endswith((".", " "))
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert len(safe.encode("utf-8")) <= 120
    # the name we write is linkable: it resolves to its file
    path = f"Index/{safe}.md"
    resolver = LinkResolver([path])
    assert resolver.resolve(resolver.link_path_for(path), "Index/Hub.md") == path


ESCAPE_CASES = [
    ("plain", "plain"),
    ("A | B", "A / B"),
    ("see [[x]]", "see ((x))"),
    ("ends]", "ends)"),
    ("two\nlines\r\nhere", "two lines here"),
    ("back\\", "back"),
]


@pytest.mark.parametrize("text,expected", ESCAPE_CASES)
def test_escape_display(text, expected):
    display = escape_display(text)
    assert display == expected
    assert "|" not in display and "]]" not in display and "[[" not in display and "\n" not in display
    assert not display.endswith("]")


@pytest.mark.parametrize("headings,index,display", [
    (H, 3, "Notes | week [2]"), (H2, 4, "x]"), (H, 7, "Foo: bar"),
])
def test_written_wikilink_reads_back(headings, index, display):
    """§12 rule 1: `[[path#anchor|display]]` is found and split back into its parts."""
    anchor = heading_anchor(headings, index)
    link = f"[[Folder/Note#{anchor}|{escape_display(display)}]]"
    [(offset, inner, embed)] = find_wikilinks(link)
    path, subpath, alias = parse_linktext(inner)
    assert (offset, embed, path, alias) == (0, False, "Folder/Note", escape_display(display))
    assert resolve_subpath(subpath, headings) == index


# -- HeadingLookup: the same answers as resolve_subpath and heading_anchor -----------

_TRICKY_HEADINGS = """# Result
## Result
### Situation: [[Link|shown]] and `code`
## Dive Deep #tag
# result
## A ^block1
### Result
> ## Quoted
- ## In a list
#### Why? / How: it's done
## Ünïcode Résumé
## ^only
## Plan
### Plan
## [^1]
"""


def _every_note_heading_set() -> list[tuple[Heading, ...]]:
    """The headings of the example vault, the seeds, 150 generated notes and a tricky note."""
    from pathlib import Path

    from benchmarks.generate import generate
    from lpvault.parse import parse_text

    roots = [Path(__file__).parent.parent / "vault", Path(__file__).parent / "fixtures"]
    texts = [p.read_text(encoding="utf-8") for root in roots for p in sorted(root.rglob("*.md"))]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), notes=150, seed=5)
        texts += [p.read_text(encoding="utf-8") for p in sorted(Path(folder).rglob("*.md"))]
    return [parse_text("n.md", text).headings for text in texts + [_TRICKY_HEADINGS]]


def test_heading_lookup_answers_as_the_walk_does() -> None:
    from itertools import pairwise

    from lpvault.obsidian import HeadingLookup, _link_segment, resolve_subpath

    compared = 0
    for headings in _every_note_heading_set():
        lookup = HeadingLookup(headings)
        subpaths = {"", "#", "^block1", "[^1]", "#^only", "Result#Result", "result#plan#plan"}
        for heading in headings:
            subpaths |= {heading.text, _link_segment(heading.text), f"#{heading.text}", heading.text.upper()}
        for first, second in pairwise(headings):
            subpaths.add(f"{_link_segment(first.text)}#{_link_segment(second.text)}")
        for subpath in sorted(subpaths):
            assert lookup.resolve(subpath) == resolve_subpath(subpath, headings), subpath
        for index in range(-1, len(headings) + 1):
            assert lookup.anchor(index) == heading_anchor(headings, index), index
        compared += len(subpaths)
    assert compared > 1000
