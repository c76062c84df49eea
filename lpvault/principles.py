"""The leadership principles a vault is organised by, and forgiving name matching.

The default set is Amazon's 16 Leadership Principles (names, short names, one-line
summaries in this project's own words, and a few short phrases that recognise a
note quoting a principle's wording). A vault may add its own principles or replace
the set (`build_catalog`). `Catalog` resolves the many ways people write a name:
numbering, case, `&`, curly quotes, parenthetical notes, check marks, emphasis,
a gloss in another language, a name in quotes inside a question heading, file
names and tags. Matching is exact after normalising: no "contains", no fuzziness;
`near_miss` is the separate, fuzzy "did you mean".
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Sequence

__all__ = [
    "AMAZON_PRINCIPLES",
    "Catalog",
    "NEAR_MISS_CUTOFF",
    "PRESETS",
    "Principle",
    "build_catalog",
    "normalize_name",
    "normalize_wording",
    "slugify",
]

NEAR_MISS_CUTOFF = 0.85
PRESETS = ("amazon", "none")
_EXTRA_KEYS = frozenset({"name", "aliases", "summary", "phrases"})
_MIN_WORDING_HITS = 2
_SLUG_MAX = 80

# --- normalisation -----------------------------------------------------------

_QUOTES = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
})
_INVISIBLE = re.compile("[\ufe0e\ufe0f\u200b\u200c\u200d\u2060\ufeff]")
_EMPHASIS = re.compile(r"[*`]+|~~|==")
_EDGE_UNDERSCORE = re.compile(r"_+(?![^\W_])|(?<![^\W_])_+")
_NUMBERING = re.compile(r"^(?:lp\s*)?#?\s*\d+(?:\.\d+)*(?:\s*[.):\-\u2013\u2014]+|\s)\s*")
_SEPARATORS = re.compile(r"[\s;,:\-\u2013\u2014/|]+")
_EDGE_PUNCT = "\"'.!?;,:-\u2013\u2014/| \t"
# A gloss follows the name after one of these (a bare '-' only with spaces round it).
_GLOSS_SEPARATOR = re.compile(r"\s+-\s+|\s*[\u2013\u2014/|:]\s*")
# Longer text (a heading, a field) names no principle: the gloss search below is
# quadratic in the text's length (a 5 MB heading would take hours).
MAX_NAME_TEXT = 500
_QUOTED = re.compile(r'"([^"]+)"')
# Texts whose `Catalog.match` answer is remembered: the same principle headings
# recur in every note of a vault, and normalising one costs tens of microseconds.
_MATCH_MEMO = 4096
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _prepare(text: str) -> str:
    """Lower case, NFKC, straight quotes, `&` -> `and`; emphasis, symbols,
    emoji and parenthetical notes removed. Punctuation is left in place."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _INVISIBLE.sub("", text)
    if text.isascii():  # the only ASCII symbols of those categories: `^` and the backtick
        text = text.replace("^", "").replace("`", "")
    else:
        text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cf"))
    text = _EDGE_UNDERSCORE.sub("", _EMPHASIS.sub("", text)).lower()
    return _drop_parentheticals(text).replace("&", " and ")


def _drop_parentheticals(text: str) -> str:
    """`text` without its balanced `(...)` groups and the blanks before each, nested
    ones included (what removing innermost groups until none is left gives), in one pass."""
    if "(" not in text:
        return text
    out: list[str] = []
    opened: list[int] = []  # length of `out` before each open group's blanks
    for ch in text:
        if ch == "(":
            keep = len(out)
            while keep and out[keep - 1].isspace():
                keep -= 1
            opened.append(keep)
            out.append(ch)
        elif ch == ")" and opened:
            del out[opened.pop():]
        else:
            out.append(ch)
    return "".join(out)


def _clean(text: str) -> str:
    """`_prepare`, then leading numbering and edge punctuation removed."""
    text = _prepare(text).strip(_EDGE_PUNCT)
    return _NUMBERING.sub("", text, count=1).strip(_EDGE_PUNCT)


def _collapse(text: str) -> str:
    """Separators and whitespace to single spaces, edge punctuation removed."""
    return _SEPARATORS.sub(" ", text).strip(_EDGE_PUNCT)


def normalize_name(text: str) -> str:
    """The comparable form of a principle name as people write it.

    Lower case, NFKC, curly quotes made straight, `&` -> `and`, markdown
    emphasis and backticks removed, parenthetical notes dropped, leading
    numbering (`13.`, `3)`, `#3`, `LP 3:`) dropped, emoji and check marks
    removed, and `; , : - – — / |` and whitespace collapsed to single spaces.
    `normalize_name("13. Have Backbone; Disagree & Commit (Conflicts) ✔")`
    is `"have backbone disagree and commit"`.
    """
    return _collapse(_clean(text))


def normalize_wording(text: str) -> str:
    """Prose in a comparable form for phrase search: lower-case words and
    in-word apostrophes separated by single spaces, padded with one space."""
    if text.isascii():  # the same, without a regular expression stepping through every character
        text = text.lower().translate(_ASCII_NON_WORD)
        text = _LONE_APOSTROPHE.sub(" ", text) if "'" in text else text
    else:
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
        text = re.sub(r"[^\w']+|(?<!\w)'|'(?!\w)", " ", text)
    return " " + " ".join(text.replace("_", " ").split()) + " "


# ASCII text: what is neither a word character nor an apostrophe becomes a blank, and an
# apostrophe not between word characters too (`'(?<!\w')` is `(?<!\w)'`, led by a literal).
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_'")})
_LONE_APOSTROPHE = re.compile(r"'(?:(?<!\w')|(?!\w))")


def slugify(text: str) -> str:
    """A lower-case ASCII kebab-case form safe for file names ('' if none).

    Accents are removed, other non-ASCII letters dropped, `&` -> `and`,
    apostrophes dropped: `slugify("Strive to be Earth’s Best Employer")` is
    `"strive-to-be-earths-best-employer"`.
    """
    text = unicodedata.normalize("NFKD", text.replace("&", " and "))
    text = text.encode("ascii", "ignore").decode("ascii").lower().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:_SLUG_MAX].rstrip("-")


# --- the principles ------------------------------------------------------------


@dataclass(frozen=True)
class Principle:
    """One principle: canonical name, file-safe slug, short names, a one-line
    summary, and phrases that recognise a quotation of its wording."""

    name: str
    slug: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    phrases: tuple[str, ...] = ()


def _amazon(name: str, aliases: tuple[str, ...], summary: str, phrases: tuple[str, ...]) -> Principle:
    return Principle(name=name, slug=slugify(name), aliases=aliases, summary=summary, phrases=phrases)


AMAZON_PRINCIPLES: tuple[Principle, ...] = (
    _amazon(
        "Customer Obsession", ("Customer Obsessed",),
        "Begin with what customers need and reason back from it; keep their trust above rivals' moves.",
        ("start with the customer", "work backwards", "earn and keep customer trust",
         "obsess over customers", "pay attention to competitors"),
    ),
    _amazon(
        "Ownership", (),
        "Act like the owner of the whole business, for the long run, even outside your own patch.",
        ("leaders are owners", "sacrifice long term value", "behalf of the entire company",
         "beyond just their own team", "that's not my job"),
    ),
    _amazon(
        "Invent and Simplify", (),
        "Push for new ideas wherever they come from and make things simpler, accepting being misread for a while.",
        ("always find ways to simplify", "externally aware", "new ideas from everywhere",
         "not invented here", "misunderstood for long periods"),
    ),
    _amazon(
        "Are Right, A Lot", ("Are Right a Lot", "Right a Lot"),
        "Make sound calls by combining judgment with a deliberate search for views that prove you wrong.",
        ("leaders are right a lot", "strong judgment", "good instincts",
         "seek diverse perspectives", "disconfirm their beliefs"),
    ),
    _amazon(
        "Learn and Be Curious", ("Be Curious",),
        "Keep learning and go after new possibilities because you want to understand them.",
        ("never done learning", "seek to improve themselves", "curious about new possibilities",
         "act to explore them"),
    ),
    _amazon(
        "Hire and Develop the Best", ("Hire and Develop",),
        "Raise the bar with each hire and promotion and take coaching and growing people seriously.",
        ("raise the performance bar", "recognize exceptional talent", "leaders develop leaders",
         "coaching others", "career choice"),
    ),
    _amazon(
        "Insist on the Highest Standards", (
            "Highest Standards", "Insist on High Standards", "Insist on Highest Standards", "High Standards",
        ),
        "Hold work to a bar others may find too high, and fix problems so they do not come back.",
        ("relentlessly high standards", "unreasonably high", "continually raising the bar",
         "sent down the line", "fixed so they stay fixed"),
    ),
    _amazon(
        "Think Big", (),
        "Set an ambitious direction that people rally to and look for unexpected ways to serve customers.",
        ("thinking small", "self fulfilling prophecy", "bold direction", "look around corners"),
    ),
    _amazon(
        "Bias for Action", ("Bias to Action",),
        "Move fast when a decision can be undone; a calculated risk beats a long study.",
        ("speed matters in business", "are reversible", "extensive study", "calculated risk taking"),
    ),
    _amazon(
        "Frugality", (),
        "Get more done with fewer resources; constraints are a source of invention.",
        ("accomplish more with less", "constraints breed resourcefulness", "no extra points",
         "growing headcount", "fixed expense"),
    ),
    _amazon(
        "Earn Trust", ("Earn Trust of Others", "Vocally Self Critical"),
        "Listen, be candid and respectful, admit your own mistakes and compare yourself with the best.",
        ("listen attentively", "speak candidly", "treat others respectfully", "vocally self critical",
         "smells of perfume"),
    ),
    _amazon(
        "Dive Deep", (),
        "Stay close to the details, check often, and dig in when the numbers and the stories disagree.",
        ("operate at all levels", "connected to the details", "audit frequently",
         "metrics and anecdote differ", "no task is beneath them"),
    ),
    _amazon(
        "Have Backbone; Disagree and Commit", (
            "Have Backbone", "Disagree and Commit", "Disagree & Commit",
            "Have Backbone, Disagree, Fully Commit", "Have Backbone, Disagree and Commit",
        ),
        "Challenge a decision openly when you disagree, then back it fully once it is made.",
        ("challenge decisions", "uncomfortable or exhausting", "social cohesion", "commit wholly",
         "decision is determined"),
    ),
    _amazon(
        "Deliver Results", (),
        "Focus on the inputs that matter and ship them well and on time, despite setbacks.",
        ("key inputs for their business", "right quality", "timely fashion", "rise to the occasion",
         "never settle"),
    ),
    _amazon(
        "Strive to be Earth's Best Employer", ("Earth's Best Employer", "Best Employer"),
        "Make work safer, fairer and more rewarding, and care about each person's growth.",
        ("lead with empathy", "have fun at work", "fellow employees growing", "personal success",
         "safer more productive"),
    ),
    _amazon(
        "Success and Scale Bring Broad Responsibility", ("Success and Scale", "Broad Responsibility"),
        "Being large means owning the side effects of what you do and leaving things better than you found them.",
        ("started in a garage", "secondary effects", "future generations", "leave things better",
         "leave the world better"),
    ),
)


# --- the catalog ---------------------------------------------------------------

_FILENAME_PREFIXES = frozenset({"amazon", "amazons", "lp", "lps", "leadership", "principle", "principles"})


def _is_gloss(rest: str) -> bool:
    """True if `rest` reads as a translation: non-ASCII letters, no ASCII ones."""
    return not _ASCII_LETTER.search(rest) and any(ch.isalpha() for ch in rest)


class Catalog:
    """An ordered set of principles and the ways to recognise them in text."""

    def __init__(self, principles: Sequence[Principle]) -> None:
        self._principles = tuple(principles)
        self._names: dict[str, Principle] = {}
        self._keys: dict[str, Principle] = {}
        self._slugs: dict[str, Principle] = {}
        self._phrases: dict[str, tuple[str, ...]] = {}
        self._phrase_words: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}  # each phrase and its words
        self._matched: dict[str, Principle | None] = {}  # `match` answers, by text
        self._index()

    def _index(self) -> None:
        """Names first (they win over aliases), then aliases, first one wins."""
        for p in self._principles:
            key = normalize_name(p.name)
            if not key or key in self._names:
                raise ValueError(f"principle name {p.name!r} is empty or duplicated")
            if p.slug in self._slugs:
                raise ValueError(f"principle slug {p.slug!r} is duplicated")
            self._names[key] = self._keys[key] = self._slugs[p.slug] = p
        for p in self._principles:
            for text in (p.name, *p.aliases):
                self._keys.setdefault(normalize_name(text), p)
                self._slugs.setdefault(slugify(normalize_name(text)), p)
            self._phrases[p.name] = tuple({normalize_wording(ph): None for ph in p.phrases if ph.strip()})
            self._phrase_words[p.name] = tuple((ph, frozenset(ph.split())) for ph in self._phrases[p.name])
        self._keys.pop("", None)
        self._slugs.pop("", None)
        self._near_lengths = _reachable_lengths({len(k) for k in self._keys}, NEAR_MISS_CUTOFF)

    @property
    def principles(self) -> tuple[Principle, ...]:
        """The principles in catalog order."""
        return self._principles

    def __iter__(self) -> Iterator[Principle]:
        return iter(self._principles)

    def __len__(self) -> int:
        return len(self._principles)

    def by_name(self, name: str) -> Principle:
        """The principle whose canonical name is `name` (compared after
        `normalize_name`; aliases do not count). KeyError otherwise."""
        try:
            return self._names[normalize_name(name)]
        except KeyError:
            raise KeyError(name) from None

    def by_slug(self, slug: str) -> Principle:
        """The principle whose slug is exactly `slug`. KeyError otherwise."""
        for p in self._principles:
            if p.slug == slug:
                return p
        raise KeyError(slug)

    # -- names ------------------------------------------------------------------

    def match(self, text: str) -> Principle | None:
        """The principle `text` names (a heading, a field value), or None.

        The whole text must be a name or alias after `normalize_name`, or start
        with one followed by a gloss (after `–`, ` - `, `/`, `|`, `:`, or in
        non-ASCII letters), or hold one in double quotes (`Questions on "Dive
        Deep":`). A name merely used in a sentence does not match.
        """
        if len(text) > MAX_NAME_TEXT:
            return None
        try:
            return self._matched[text]
        except KeyError:
            pass
        if len(self._matched) >= _MATCH_MEMO:
            self._matched.clear()
        found = self._matched[text] = self._match(text)
        return found

    def _match(self, text: str) -> Principle | None:
        cleaned = _clean(text)
        found = self._keys.get(_collapse(cleaned))
        if found is None:
            found = self._match_gloss(cleaned) or self._match_quoted(_prepare(text))
        return found

    def _match_gloss(self, cleaned: str) -> Principle | None:
        """A name followed by a separator and anything, or by a non-ASCII gloss."""
        for sep in reversed(list(_GLOSS_SEPARATOR.finditer(cleaned))):
            found = self._keys.get(_collapse(cleaned[: sep.start()]))
            if found is not None:
                return found
        collapsed = _collapse(cleaned)
        best: str | None = None
        for key in self._keys:
            if collapsed.startswith(key + " ") and _is_gloss(collapsed[len(key):]):
                best = key if best is None or len(key) > len(best) else best
        return self._keys[best] if best else None

    def _match_quoted(self, prepared: str) -> Principle | None:
        """The single principle named in double quotes, None if none or several."""
        found = {self._keys.get(_collapse(q)) for q in _QUOTED.findall(prepared)} - {None}
        return found.pop() if len(found) == 1 else None

    def match_filename(self, stem: str) -> Principle | None:
        """The principle a file name or note title names, or None.

        `-` and `_` count as spaces; leading numbers and words such as
        `amazon`, `lp`, `leadership principle` are dropped; what remains must be
        a name or alias (apostrophes optional), or one followed by a non-ASCII gloss.
        """
        stem = re.sub(r"\.md$", "", stem.strip(), flags=re.I)
        tokens = normalize_name(stem.replace("_", " ")).split()
        while tokens:
            found = self._exact(" ".join(tokens))
            if found is not None:
                return found
            if not (tokens[0] in _FILENAME_PREFIXES or re.fullmatch(r"#?\d+[.)]?", tokens[0])):
                break
            tokens = tokens[1:]
        return self._match_gloss(" ".join(tokens)) if tokens else None

    def match_tag(self, tag: str) -> Principle | None:
        """The principle a tag names by its last path segment (`lp/dive-deep`,
        `amazon/ownership`, `dive-deep`, `lp/invent_and_simplify`), or None."""
        segment = tag.strip().lstrip("#").rstrip("/").rsplit("/", 1)[-1]
        if not segment:
            return None
        return self._exact(normalize_name(segment.replace("_", " ")))

    def _exact(self, key: str) -> Principle | None:
        """A normalised key looked up as a name/alias, then as a slug."""
        return self._keys.get(key) or self._slugs.get(slugify(key)) if key else None

    def near_miss(self, text: str) -> Principle | None:
        """The principle `text` probably meant ("Invent and Simplfy"), or None
        when `match` already matches or nothing is close enough."""
        key = normalize_name(text)
        if len(key) not in self._near_lengths or self.match(text) is not None:
            return None  # too short or too long to be close to any name (most headings)
        best, best_ratio = None, NEAR_MISS_CUTOFF
        letters = Counter(key)
        for candidate, principle in self._keys.items():
            if not _may_reach(key, letters, candidate, best_ratio):
                continue
            ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = principle, ratio
        return best

    # -- wording ----------------------------------------------------------------

    def wording_hits(self, text: str) -> dict[str, int]:
        """Canonical name -> number of distinct recognition phrases in `text`."""
        prose = normalize_wording(text)
        words = frozenset(prose.split())  # a phrase is in the prose only if all its words are
        hits = {name: sum(1 for ph, needs in phrases if needs <= words and ph in prose)
                for name, phrases in self._phrase_words.items()}
        return {name: n for name, n in hits.items() if n}

    def find_wording(self, text: str) -> Principle | None:
        """The principle whose wording `text` quotes: at least two of its phrases,
        more than any other principle (a tie gives None)."""
        hits = sorted(self.wording_hits(text).items(), key=lambda item: -item[1])
        if not hits or hits[0][1] < _MIN_WORDING_HITS:
            return None
        if len(hits) > 1 and hits[1][1] == hits[0][1]:
            return None
        return self.by_name(hits[0][0])


def _reachable_lengths(lengths: set[int], bar: float) -> frozenset[int]:
    """The text lengths whose ratio to some name can reach `bar`: difflib's
    `real_quick_ratio` bound, 2 * min(a, b) / (a + b), is at least `bar`."""
    longest = max(lengths, default=0)
    return frozenset(n for n in range(1, 2 * longest + 1)
                     if any(2.0 * min(n, c) / (n + c) >= bar for c in lengths))


@lru_cache(maxsize=1024)
def _letters(text: str) -> Counter[str]:
    return Counter(text)


def _may_reach(key: str, letters: Counter[str], candidate: str, bar: float) -> bool:
    """False when SequenceMatcher(None, key, candidate).ratio() cannot reach `bar`:
    its `real_quick_ratio` (lengths) or `quick_ratio` (shared letters) bound is below it.
    Computed as difflib computes ratios (2.0 * matches / total), so the bounds are exact."""
    total = len(key) + len(candidate)
    if 2.0 * min(len(key), len(candidate)) / total < bar:
        return False
    theirs = _letters(candidate)
    shared = sum(min(n, theirs[ch]) for ch, n in letters.items() if ch in theirs)
    return 2.0 * shared / total >= bar


# --- building from config ------------------------------------------------------


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    """A list of non-empty strings from config, or ValueError naming the key."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: '{key}' must be a list of strings, not {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{where}: '{key}' must hold non-empty strings, not {item!r}")
    return tuple(item.strip() for item in value)


def _user_principle(position: int, item: Any) -> Principle:
    """One `[[principles]]` entry (1-based `position`) as a Principle."""
    where = f"principles entry {position}"
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: must be a table with 'name', not {type(item).__name__}")
    unknown = sorted(str(k) for k in item if k not in _EXTRA_KEYS)
    if unknown:
        listed = ", ".join(f"'{k}'" for k in unknown)
        raise ValueError(f"{where}: unknown key {listed} (allowed: {', '.join(sorted(_EXTRA_KEYS))})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: 'name' is required and must be a non-empty string")
    if not normalize_name(name):
        raise ValueError(f"{where}: 'name' {name!r} has nothing left after normalising")
    summary = item.get("summary", "")
    if not isinstance(summary, str):
        raise ValueError(f"{where}: 'summary' must be a string, not {type(summary).__name__}")
    aliases = _strings(where, "aliases", item.get("aliases", ()))
    phrases = _strings(where, "phrases", item.get("phrases", ()))
    return Principle(
        name=" ".join(name.split()),
        slug=slugify(name) or f"principle-{position}",
        aliases=aliases,
        summary=" ".join(summary.split()),
        phrases=tuple(normalize_wording(p).strip() for p in phrases if normalize_wording(p).strip()),
    )


def _unique_slug(slug: str, taken: Iterable[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`, ... if already taken."""
    used = set(taken)
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def build_catalog(*, preset: str = "amazon", extra: Sequence[Mapping[str, Any]] = ()) -> Catalog:
    """The catalog for a vault: the preset ("amazon" or "none") plus the
    user's principles. A user principle whose normalised name equals an
    existing one replaces it in place; others are appended in order."""
    if preset not in PRESETS:
        raise ValueError(f"principles_preset must be one of {', '.join(PRESETS)}, not {preset!r}")
    if isinstance(extra, (str, Mapping)) or not isinstance(extra, Sequence):
        raise ValueError("principles must be a list of tables")
    principles: list[Principle] = list(AMAZON_PRINCIPLES) if preset == "amazon" else []
    for position, item in enumerate(extra, start=1):
        new = _user_principle(position, item)
        key = normalize_name(new.name)
        same = [i for i, p in enumerate(principles) if normalize_name(p.name) == key]
        others = [p.slug for i, p in enumerate(principles) if i not in same]
        new = Principle(new.name, _unique_slug(new.slug, others), new.aliases, new.summary, new.phrases)
        if same:
            principles[same[0]] = new
        else:
            principles.append(new)
    return Catalog(principles)
