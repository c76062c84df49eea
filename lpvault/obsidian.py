"""Obsidian's rules for links, headings and tags, as pure functions.

Everything here follows /work/shared/OBSIDIAN.md (sections 1-4, 10 and 12):
how Obsidian splits and resolves `[[wikilinks]]`, matches `#Heading` subpaths,
recognises `#tags`, and what lpvault must write so that its links resolve.
No I/O and no Markdown parser: callers hand in plain strings.

JavaScript details that matter are copied exactly: JavaScript's `\\s` (which
differs from Python's), `String.prototype.toLowerCase`, plain `endsWith` and
`startsWith` on lower-cased paths, and sort stability.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import quote, unquote

from lpvault.model import Heading

__all__ = [
    "TAG_RE",
    "WIKILINK_RE",
    "LinkResolver",
    "decode_md_destination",
    "encode_md_anchor",
    "encode_md_fragment",
    "encode_md_path",
    "escape_display",
    "find_tags",
    "find_wikilinks",
    "front_matter_tags",
    "has_link_breaking_chars",
    "heading_anchor",
    "heading_key",
    "is_external",
    "is_valid_tag",
    "parse_linktext",
    "resolve_block",
    "resolve_subpath",
    "safe_file_name",
    "strip_heading",
    "strip_heading_for_link",
]

# JavaScript's `\s` (WhiteSpace + LineTerminator), which `trim()` also uses.
# Python's `\s` differs: it adds U+001C-U+001F and U+0085 and lacks U+FEFF.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_SPACE_RUN = re.compile(f"[{_JS_SPACE}]+")
_JS_SPACE_CHAR = re.compile(f"[{_JS_SPACE}]")

# ---------------------------------------------------------------------------
# Headings (section 2)
# ---------------------------------------------------------------------------

# stripHeading: /[!"#$%&()*+,.:;<=>?@^`{|}~\/\[\]\\\r\n]/g -> " "
_STRIP_HEADING = re.compile(r"[!\"#$%&()*+,.:;<=>?@^`{|}~/\[\]\\\r\n]")
# stripHeadingForLink: /([:#|^\\\r\n]|%%|\[\[|\]\])/g -> " "
_STRIP_HEADING_FOR_LINK = re.compile(r"([:#|^\\\r\n]|%%|\[\[|\]\])")
# A trailing block id (section 11.4): ' ^abc-1' at the very end.
_TRAILING_BLOCK_ID = re.compile(f"(?:^|[{_JS_SPACE}])\\^[A-Za-z0-9-]+[{_JS_SPACE}]*$")


def _js_trim(s: str) -> str:
    """JavaScript's `String.prototype.trim`."""
    return s.strip("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def _collapse(s: str) -> str:
    """`.replace(/\\s+/g, " ").trim()` with JavaScript's whitespace."""
    return _js_trim(_JS_SPACE_RUN.sub(" ", s))


def strip_heading(s: str) -> str:
    """Obsidian's `stripHeading`: ASCII punctuation except `_ - '` becomes a space,
    whitespace runs collapse to one space, the ends are trimmed."""
    return _collapse(_STRIP_HEADING.sub(" ", s))


def strip_heading_for_link(s: str) -> str:
    """Obsidian's `stripHeadingForLink`: what "Copy link to heading" writes.

    `: # | ^ \\`, line breaks, `%%`, `[[` and `]]` become spaces; whitespace
    collapses and the ends are trimmed."""
    return _collapse(_STRIP_HEADING_FOR_LINK.sub(" ", s))


@lru_cache(maxsize=8192)
def heading_key(s: str) -> str:
    """The key Obsidian compares heading subpaths with: `stripHeading(s).toLowerCase()`."""
    return strip_heading(s).lower()


def _subpath_parts(subpath: str) -> list[str]:
    """`subpath.split("#").filter(Boolean)`: the segments of `#A#B` (leading `#` optional)."""
    return [part for part in subpath.split("#") if part]


def _considered(headings: Sequence[Heading]) -> Iterator[tuple[int, Heading, str]]:
    """(index, heading, key) of the headings Obsidian can target, in document order."""
    for index, heading in enumerate(headings):
        if heading.targetable:
            key = heading_key(heading.text)
            if key:
                yield index, heading, key


def resolve_subpath(subpath: str, headings: Sequence[Heading]) -> int | None:
    """The index into `headings` that the heading subpath `#A#B...` opens, or None.

    Obsidian's walk: in document order, a heading matches the next segment when
    its level is greater than the level of the last matched heading and its key
    equals the segment's key; the first heading that completes the chain wins.
    Block (`#^id`) and footnote (`#[^1]`) subpaths are not headings: None.
    """
    parts = _subpath_parts(subpath)
    if not parts or len(parts) == 1 and parts[0].startswith(("^", "[^")):
        return None
    wanted = [heading_key(part) for part in parts]
    matched, level = 0, 0
    for index, heading, key in _considered(headings):
        if heading.level > level and key == wanted[matched]:
            matched += 1
            level = heading.level
            if matched == len(wanted):
                return index
    return None


def resolve_block(subpath: str, block_ids: Iterable[str]) -> bool:
    """True if `#^id` names one of `block_ids` (compared case-insensitively)."""
    parts = _subpath_parts(subpath)
    if len(parts) != 1 or not parts[0].startswith("^") or len(parts[0]) == 1:
        return False
    wanted = parts[0][1:].lower()
    return any(block_id.lower() == wanted for block_id in block_ids)


@lru_cache(maxsize=8192)
def _link_segment(text: str) -> str:
    """The subpath segment written for a heading: `stripHeadingForLink(text)`.

    A lone `[` or `]` would stop `WIKILINK_RE` (and other readers) from seeing
    the link at all, so such text falls back to `stripHeading(text)`, which has
    the same match key."""
    segment = strip_heading_for_link(text)
    return strip_heading(text) if "[" in segment or "]" in segment else segment


def _nameable(heading: Heading) -> bool:
    """A heading that a written link may name: targetable, non-empty, no block id."""
    return (heading.targetable and bool(heading_key(heading.text))
            and not _TRAILING_BLOCK_ID.search(heading.text))


def _ancestors(headings: Sequence[Heading], index: int) -> list[int]:
    """Indices of the enclosing headings of `headings[index]`, outermost first."""
    stack: list[int] = []
    for i, heading, _ in _considered(headings[:index]):
        while stack and headings[stack[-1]].level >= heading.level:
            stack.pop()
        stack.append(i)
    level = headings[index].level
    return [i for i in stack if headings[i].level < level]


def _chains(headings: Sequence[Heading], index: int) -> Iterator[list[int]]:
    """Candidate heading chains ending at `index`: shortest first, nearer ancestors first."""
    yield [index]  # the heading alone, which opens it unless an earlier one has its key
    parents = [i for i in _ancestors(headings, index) if _nameable(headings[i])]
    nearest_first = parents[::-1]
    for size in range(1, len(parents) + 1):
        for combo in itertools.combinations(nearest_first, size):
            yield sorted(combo) + [index]


def heading_anchor(headings: Sequence[Heading], index: int) -> str | None:
    """The subpath (without the leading `#`) that lpvault writes to open `headings[index]`.

    `stripHeadingForLink(text)` when that opens it; for a repeated heading the
    shortest chain of its ancestors, `Parent#Child`, that the walk resolves back
    to `index`. None when no link can open the heading: not targetable, empty
    after stripping, ending in a block id ` ^abc`, or not reachable by any chain.
    """
    if not 0 <= index < len(headings) or not _nameable(headings[index]):
        return None
    for chain in _chains(headings, index):
        anchor = "#".join(_link_segment(headings[i].text) for i in chain)
        if resolve_subpath(anchor, headings) == index:
            return anchor
    return None


class HeadingLookup:
    """`resolve_subpath` and `heading_anchor` for one note's headings, each heading's key
    worked out once: most subpaths are one heading (`#Result`), which opens the first
    targetable heading with its key; chains (`#A#B`) take the walk above."""

    def __init__(self, headings: Sequence[Heading]) -> None:
        self.headings = headings
        self.first: dict[str, int] = {}
        for index, _, key in _considered(headings):
            self.first.setdefault(key, index)

    def resolve(self, subpath: str) -> int | None:
        """`resolve_subpath(subpath, headings)`."""
        parts = _subpath_parts(subpath)
        if len(parts) == 1 and not parts[0].startswith(("^", "[^")):
            return self.first.get(heading_key(parts[0]))
        return resolve_subpath(subpath, self.headings)

    def anchor(self, index: int) -> str | None:
        """`heading_anchor(headings, index)`: the heading alone when that opens it."""
        headings = self.headings
        if not 0 <= index < len(headings) or not _nameable(headings[index]):
            return None
        segment = _link_segment(headings[index].text)
        return segment if self.resolve(segment) == index else heading_anchor(headings, index)


# ---------------------------------------------------------------------------
# Wikilinks (section 1)
# ---------------------------------------------------------------------------

WIKILINK_RE = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
"""`[[inner]]` or `![[inner]]` on one line; `[` and `]` cannot occur inside."""

# `# | ^ : [ ] %%`: characters that break a link to a file of that name.
_LINK_BREAKING = re.compile(r"[#|^:\[\]]|%%")


def find_wikilinks(text: str) -> list[tuple[int, str, bool]]:
    """(offset of `[[` or `!`, inner text, is_embed) for each wikilink in `text`."""
    return [(m.start(), m.group(1), m.group(0).startswith("!")) for m in WIKILINK_RE.finditer(text)]


def parse_linktext(text: str) -> tuple[str, str | None, str | None]:
    """Split a wikilink's inner text into (path, subpath, alias).

    The alias starts at the first `|` (a `\\|` as written inside tables counts
    too, its backslash dropped); the subpath is everything from the first `#`
    of the rest, leading `#` kept. The path is kept as written (`.md` and all).
    """
    alias: str | None = None
    bar = text.find("|")
    if bar >= 0:
        alias = text[bar + 1:]
        text = text[:bar - 1] if bar > 0 and text[bar - 1] == "\\" else text[:bar]
    hash_at = text.find("#")
    if hash_at < 0:
        return text, None, alias
    return text[:hash_at], text[hash_at:], alias


def has_link_breaking_chars(name: str) -> bool:
    """True if a file name contains `# | ^ : [ ] %%`, which break links to it."""
    return bool(_LINK_BREAKING.search(name))


# ---------------------------------------------------------------------------
# Link resolution (section 1 "Resolution", section 12)
# ---------------------------------------------------------------------------


def _file_name(path: str) -> str:
    """`getFilename`: the part after the last `/`."""
    return path[path.rfind("/") + 1:]


def _folder(path: str) -> str:
    """`dirname` as Obsidian computes it: '' for a file at the vault root."""
    slash = path.rfind("/")
    return path[:slash] if slash >= 0 else ""


def _without_md(path: str) -> str:
    """`path` without a final `.md` (any case)."""
    return path[:-3] if path.lower().endswith(".md") else path


def lookup_keys(linkpath: str) -> tuple[str, ...]:
    """The lower-cased file names a lookup of `linkpath` reads (`LinkResolver._lookup`):
    what the link opens can change only when a file of one of these names comes or goes."""
    name = _file_name(linkpath.lower())
    with_md = _file_name((linkpath + ".md").lower())
    return (name, with_md) if "." in name else (with_md,)


def target_keys(path: str) -> frozenset[str]:
    """The lower-cased file names `link_path_for(path)` and the links it chooses read:
    the link written to `path` can change only when a file of one of these names comes or goes."""
    name = _file_name(path)
    return frozenset(lookup_keys(_without_md(name)) + lookup_keys(name))


class LinkResolver:
    """Obsidian's `getLinkpathDest` over a fixed set of vault files.

    `notes` and `other_files` are vault-relative POSIX paths (notes with `.md`).
    Files are indexed by lower-cased file name, so a lookup only looks at the
    files that share the link's file name.
    """

    def __init__(self, notes: Iterable[str], other_files: Iterable[str] = ()) -> None:
        self._paths: dict[str, str] = {}  # path -> lower-cased path
        self._by_name: dict[str, list[str]] = {}  # lower-cased file name -> paths, in load order
        other_files = tuple(other_files)
        self._others = frozenset(other_files)
        for path in itertools.chain(notes, other_files):
            if path not in self._paths:
                lowered = path.lower()
                self._paths[path] = lowered
                self._by_name.setdefault(_file_name(lowered), []).append(path)

    def updated(self, added: Iterable[str], removed: Iterable[str], others: Iterable[str] = ()) -> LinkResolver:
        """This resolver with files added and removed (`others`: the added files that are
        not notes), as a new resolver: this one is left as it is. The files of each name
        concerned are put in the order a resolver built afresh gives them when its notes
        and its other files each come sorted by path (as `links.link_resolver` gives them)."""
        added = [p for p in dict.fromkeys(added) if p not in self._paths]
        removed = [p for p in dict.fromkeys(removed) if p in self._paths]
        new = LinkResolver.__new__(LinkResolver)
        new._paths, new._by_name = dict(self._paths), dict(self._by_name)
        new._others = self._others.difference(removed).union(set(others).intersection(added))
        for path in removed:
            del new._paths[path]
        for path in added:
            new._paths[path] = path.lower()
        for name in {_file_name(p.lower()) for p in added + removed}:
            same = [p for p in self._by_name.get(name, ()) if p in new._paths]
            same += [p for p in added if _file_name(new._paths[p]) == name]
            if same:
                new._by_name[name] = sorted(same, key=lambda p: (p in new._others, p))
            else:
                del new._by_name[name]
        return new

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def named(self, name: str) -> list[str]:
        """The files whose lower-cased file name is `name`."""
        return list(self._by_name.get(name, ()))

    def __len__(self) -> int:
        return len(self._paths)

    def _lookup(self, linkpath: str) -> tuple[str, str, list[str]]:
        """Step 1: (lower-cased linkpath, its file name, files with that name).

        A file name with a `.` is looked up as written first; otherwise, or if
        nothing has that name, with `.md` appended."""
        lowered = linkpath.lower()
        name = _file_name(lowered)
        found = self._by_name.get(name, []) if "." in name else []
        if not found:
            lowered = (linkpath + ".md").lower()
            name = _file_name(lowered)
            found = self._by_name.get(name, [])
        return lowered, name, found

    def candidates(self, linkpath: str, source: str) -> list[str]:
        """Every file `linkpath` may open from note `source`, best first.

        An empty linkpath is the source note itself. Steps (OBSIDIAN.md §1):
        unique bare name; `./`, `../` against the source folder; exact full path
        (leading `/` dropped; with a leading `/` nothing else is tried); then
        paths ending with the link, those under the source folder first, each
        group shortest path first.
        """
        if linkpath == "":
            return [source] if source in self._paths else []
        lowered, name, found = self._lookup(linkpath)
        if not found:
            return []
        if name == lowered and len(found) == 1:
            return list(found)
        folder = _folder(source or "").lower()
        if lowered.startswith(("./", "../")):
            lowered, folder = self._relative(lowered, folder)
            exact = self._exact(lowered, found)
            if exact is not None:
                return [exact]
        if lowered.startswith("/"):
            lowered = lowered[1:]
        exact = self._exact(lowered, found)
        if exact is not None:
            return [exact]
        if linkpath.startswith("/"):
            return []
        return self._by_suffix(lowered, folder, found)

    @staticmethod
    def _relative(lowered: str, folder: str) -> tuple[str, str]:
        """Step 3: a `./` or `../` link joined to the source folder (both lower-cased).

        Returns the joined path and the folder prefix used from then on."""
        if lowered.startswith("./../"):
            lowered = lowered[2:]
        if lowered.startswith("./"):
            rest = lowered[2:]
        else:
            rest = lowered
            while rest.startswith("../"):
                rest = rest[3:]
                folder = _folder(folder)
        if folder:
            folder += "/"
        return folder + rest, folder

    def _exact(self, lowered: str, found: list[str]) -> str | None:
        """The file whose lower-cased full path is `lowered`, if any."""
        return next((path for path in found if self._paths[path] == lowered), None)

    def _by_suffix(self, lowered: str, folder: str, found: list[str]) -> list[str]:
        """Step 5: paths that end with `lowered`; those starting with `folder` first,
        each group by path length (stable, so ties keep load order)."""
        near = [p for p in found if self._paths[p].endswith(lowered) and self._paths[p].startswith(folder)]
        far = [p for p in found if self._paths[p].endswith(lowered) and not self._paths[p].startswith(folder)]
        return sorted(near, key=len) + sorted(far, key=len)

    def resolve(self, linkpath: str, source: str) -> str | None:
        """The file that `[[linkpath]]` in note `source` opens, or None."""
        found = self.candidates(linkpath, source)
        return found[0] if found else None

    def link_path_for(self, target_path: str) -> str:
        """The linkpath lpvault writes for `target_path` (section 12 rule 2).

        The bare file name (without `.md` for notes) when exactly one vault file
        has that name, case-insensitively; otherwise the full vault-relative path
        without `.md`. A file not (yet) in the vault counts as one more file.
        The choice is checked with `resolve`; should it miss (a name with a `.`
        that also names another file), the full path with its extension is used.
        """
        name = _file_name(target_path)
        same_name = len(self._by_name.get(name.lower(), []))
        known = target_path in self._paths
        if not known:
            same_name += 1
        choices = [_without_md(name)] if same_name == 1 else []
        choices += [_without_md(target_path), target_path]
        if not known:
            return choices[0]
        return next((c for c in choices if self.resolve(c, "") == target_path), target_path)


# ---------------------------------------------------------------------------
# Tags (section 4)
# ---------------------------------------------------------------------------

_TAG_CLASS = f"[^\u2000-\u206f\u2e00-\u2e7f'!\"#$%&()*+,.:;<=>?@^`{{|}}~\\[\\]\\\\{_JS_SPACE}]"
TAG_RE = re.compile(f"#{_TAG_CLASS}+")
"""Obsidian's `hb` without its `^` anchor: `#` and the longest run of tag characters."""
_TAG_NAME = re.compile(f"{_TAG_CLASS}+")
_ALL_DIGITS = re.compile(r"[0-9]+")
# Where a tag may start: text start or after whitespace, optionally inside `*`/`_` emphasis.
_TAG_IN_TEXT = re.compile(f"(?:^|(?<=[{_JS_SPACE}]))[*_]*(#{_TAG_CLASS}+)")
_TAG_SPLIT = re.compile(f"[,{_JS_SPACE}]+")


def is_valid_tag(tag: str) -> bool:
    """Obsidian's `gb`: only tag characters and not all digits. A leading `#` is allowed."""
    name = tag[1:] if tag.startswith("#") else tag
    return bool(_TAG_NAME.fullmatch(name)) and not _ALL_DIGITS.fullmatch(name)


def find_tags(text: str) -> list[tuple[int, str]]:
    """(offset of `#`, tag without `#`) for each inline tag in one piece of plain text.

    A tag starts at the start of the text or after whitespace, also right inside
    `*`/`_` emphasis delimiters (`**#tag**`); never mid-word (`a#b`) or after a
    backslash (`\\#x`). All-digit tags (`#1984`) are skipped.
    """
    found = []
    for match in _TAG_IN_TEXT.finditer(text):
        name = match.group(1)[1:]
        if not _ALL_DIGITS.fullmatch(name):
            found.append((match.start(1), name))
    return found


def _tag_item(item: Any) -> str | None:
    """One front-matter list item as a tag name, or None if it is not a string tag."""
    if hasattr(item, "isoformat") and not isinstance(item, str):
        item = item.isoformat()  # YAML 1.1 reads `2024-01-05` as a date; Obsidian sees text
    if not isinstance(item, str):
        return None
    item = item.strip()
    return item[1:] if item.startswith("#") else item


def front_matter_tags(value: Any) -> tuple[list[str], bool]:
    """The tags of a front-matter `tags` value, and whether the string form was split.

    Lists (block or flow) give one tag per string item. A single string is one
    tag; if it holds commas or spaces it is split leniently and the flag is True
    so the caller can warn (Obsidian's reading of that form is version-dependent).
    A leading `#` is dropped; empty, non-string and invalid items are dropped.
    """
    split = False
    if isinstance(value, (list, tuple)):
        items: list[Any] = list(value)
    elif isinstance(value, str):
        items = [part for part in _TAG_SPLIT.split(value) if part]
        split = len(items) > 1 or bool(_TAG_SPLIT.search(value.strip()))
    else:
        items = [value] if hasattr(value, "isoformat") else []
    names = [_tag_item(item) for item in items]
    return [n for n in names if n and is_valid_tag(n)], split


# ---------------------------------------------------------------------------
# Markdown links (section 10)
# ---------------------------------------------------------------------------

# Kept as is: letters, digits, `/` and sub-delimiters that are harmless in a
# CommonMark destination. Everything else (space, `% ( ) < > # ?`, `: [ ] \\ ^`
# and the like, controls, non-ASCII) is percent-encoded as UTF-8.
_MD_SAFE = "/-._~!$&'*+,;=@"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:")


def encode_md_path(path: str) -> str:
    """Percent-encode a vault path for a Markdown link destination, keeping `/`."""
    return quote(path, safe=_MD_SAFE)


def encode_md_fragment(heading_text: str) -> str:
    """The encoded fragment (without `#`) for a heading: `stripHeadingForLink`, encoded."""
    return quote(strip_heading_for_link(heading_text), safe=_MD_SAFE)


def encode_md_anchor(anchor: str) -> str:
    """Encode an anchor from `heading_anchor` (`A#B`), keeping its `#` separators."""
    return "#".join(quote(part, safe=_MD_SAFE) for part in anchor.split("#"))


def decode_md_destination(dest: str) -> tuple[str, str | None]:
    """(path, fragment without `#` or None) of a Markdown link destination.

    Angle brackets are removed; the split is at the first literal `#`, then
    each part is percent-decoded (an encoded `%23` stays in the path)."""
    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1]
    path, hash_sign, fragment = dest.partition("#")
    return unquote(path), (unquote(fragment) if hash_sign else None)


def is_external(dest: str) -> bool:
    """True if a link destination has a URL scheme (`https:`, `mailto:`, `obsidian:`)
    or is protocol-relative (`//host`)."""
    dest = dest.strip().lstrip("<")
    return bool(_SCHEME.match(dest)) or dest.startswith("//")


# ---------------------------------------------------------------------------
# Names and display text that lpvault writes (section 1, section 12)
# ---------------------------------------------------------------------------

_NAME_REPLACEMENTS = {
    "/": "-", "\\": "-", "|": "-", ":": " - ", "[": "(", "]": ")",
    "*": " ", '"': " ", "<": " ", ">": " ", "?": " ", "#": " ", "^": " ", "%": " ",
}
_NAME_TABLE = str.maketrans(_NAME_REPLACEMENTS)
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{stem}{n}" for stem in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"]
)
_JOINERS = ("\u200d",)


def _no_controls(name: str) -> str:
    """Control characters (Unicode category Cc) become spaces."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)


def _tidy_name(name: str) -> str:
    """Collapse whitespace; strip dots, spaces and leading hyphens from the ends."""
    name = _collapse(name)
    return name.lstrip(" .-").rstrip(" .")


def _joins_next(ch: str) -> bool:
    """True for a character that belongs to the character before it."""
    return (unicodedata.combining(ch) != 0 or ch in _JOINERS
            or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff")


def _truncate(name: str, max_len: int) -> str:
    """At most `max_len` UTF-8 bytes, never splitting a character or a combining
    sequence; cut at a space when one is in the second half."""
    if len(name.encode("utf-8")) <= max_len:
        return name
    end, size = 0, 0
    while end < len(name) and size + len(name[end].encode("utf-8")) <= max_len:
        size += len(name[end].encode("utf-8"))
        end += 1
    while 0 < end < len(name) and (_joins_next(name[end]) or name[end - 1] in _JOINERS):
        end -= 1
    cut = name[:end]
    space = cut.rfind(" ")
    if end < len(name) and name[end] != " " and space > len(cut) // 2:
        cut = cut[:space]
    return cut


def _unreserved(name: str) -> str:
    """Append `_` to a Windows device name (`CON`, `com1.txt`, ...)."""
    stem, dot, rest = name.partition(".")
    if stem.rstrip(" ").upper() in _RESERVED:
        return f"{stem.rstrip(' ')}_{dot}{rest}"
    return name


def safe_file_name(name: str, *, max_len: int = 120) -> str:
    """A title turned into a file name (no extension) that works on Windows, macOS
    and Linux and that Obsidian can link to.

    `\\ / |` become `-`, `:` becomes ` - `, `[ ]` become `( )`, and
    `* " < > ? # ^ %` and control characters become spaces; whitespace collapses;
    dots and spaces are stripped from both ends (and hyphens from the start);
    Windows device names get a `_`; at most `max_len` UTF-8 bytes; never empty
    (`untitled`).
    """
    name = _tidy_name(unicodedata.normalize("NFC", _no_controls(name)).translate(_NAME_TABLE))
    budget = max(max_len, 1)
    result = _unreserved(_tidy_name(_truncate(name, budget)))
    if len(result.encode("utf-8")) > budget:  # the `_` of a device name did not fit
        result = _unreserved(_tidy_name(_truncate(name, budget - 1)))
    return result or "untitled"


_DISPLAY_TABLE = str.maketrans({"|": "/", "[": "(", "]": ")"})


def escape_display(text: str) -> str:
    """Display text safe for `[[path#sub|display]]`.

    `|` becomes `/`, `[` and `]` become `(` and `)` (so there is no `[[`, `]]`
    and no final `]`), line breaks and whitespace runs become one space, and a
    trailing backslash is dropped so it cannot escape the closing `]]`."""
    text = _collapse(_JS_SPACE_CHAR.sub(" ", text.translate(_DISPLAY_TABLE)))
    return text.rstrip("\\").rstrip()
