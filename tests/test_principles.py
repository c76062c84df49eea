"""The principle catalog: the Amazon preset, forgiving-but-exact name matching,
near misses, file names, tags, quoted wording and user-defined principles."""
from __future__ import annotations

from typing import Any

import pytest

from lpvault.principles import (
    AMAZON_PRINCIPLES,
    NEAR_MISS_CUTOFF,
    Catalog,
    Principle,
    build_catalog,
    normalize_name,
    normalize_wording,
    slugify,
)

CO = "Customer Obsession"
OWN = "Ownership"
INVENT = "Invent and Simplify"
RIGHT = "Are Right, A Lot"
LEARN = "Learn and Be Curious"
HIRE = "Hire and Develop the Best"
INSIST = "Insist on the Highest Standards"
BIG = "Think Big"
BIAS = "Bias for Action"
FRUGAL = "Frugality"
TRUST = "Earn Trust"
DIVE = "Dive Deep"
BACKBONE = "Have Backbone; Disagree and Commit"
DELIVER = "Deliver Results"
EMPLOYER = "Strive to be Earth's Best Employer"
SCALE = "Success and Scale Bring Broad Responsibility"

CANONICAL = (
    CO, OWN, INVENT, RIGHT, LEARN, HIRE, INSIST, BIG, BIAS, FRUGAL, TRUST, DIVE, BACKBONE, DELIVER, EMPLOYER, SCALE,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog()


def _name(found: Principle | None) -> str | None:
    return None if found is None else found.name


# --- the preset ------------------------------------------------------------------


def test_amazon_preset_has_the_sixteen_in_official_order() -> None:
    assert tuple(p.name for p in AMAZON_PRINCIPLES) == CANONICAL


def test_amazon_slugs() -> None:
    assert tuple(p.slug for p in AMAZON_PRINCIPLES) == (
        "customer-obsession", "ownership", "invent-and-simplify", "are-right-a-lot", "learn-and-be-curious",
        "hire-and-develop-the-best", "insist-on-the-highest-standards", "think-big", "bias-for-action",
        "frugality", "earn-trust", "dive-deep", "have-backbone-disagree-and-commit", "deliver-results",
        "strive-to-be-earths-best-employer", "success-and-scale-bring-broad-responsibility",
    )


@pytest.mark.parametrize("principle", AMAZON_PRINCIPLES, ids=lambda p: p.slug)
def test_every_amazon_principle_is_complete(principle: Principle) -> None:
    assert principle.summary and "\n" not in principle.summary
    assert 3 <= len(principle.phrases) <= 5
    for phrase in principle.phrases:
        assert phrase == phrase.lower()
        assert 2 <= len(phrase.split()) <= 5


def test_recognition_phrases_are_not_shared_between_principles() -> None:
    seen: dict[str, str] = {}
    for principle in AMAZON_PRINCIPLES:
        for phrase in principle.phrases:
            key = normalize_wording(phrase)
            assert key not in seen, f"{phrase!r} in {principle.name} and {seen.get(key)}"
            seen[key] = principle.name
    for a in seen:
        for b in seen:
            if a != b and seen[a] != seen[b]:
                assert a not in b, f"{a!r} ({seen[a]}) inside {b!r} ({seen[b]})"


def test_catalog_keeps_order_and_looks_up_canonical_names(catalog: Catalog) -> None:
    assert tuple(p.name for p in catalog.principles) == CANONICAL
    assert len(catalog) == 16
    assert catalog.by_name("Dive Deep").slug == "dive-deep"
    assert catalog.by_name("dive deep").name == DIVE
    assert catalog.by_slug("frugality").name == FRUGAL
    with pytest.raises(KeyError):
        catalog.by_name("Disagree and Commit")  # an alias, not a canonical name
    with pytest.raises(KeyError):
        catalog.by_name("Widgetry")
    with pytest.raises(KeyError):
        catalog.by_slug("Dive Deep")


# --- normalize_name ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Customer Obsession", "customer obsession"),
    ("13. Have Backbone; Disagree & Commit (Conflicts) ✔", "have backbone disagree and commit"),
    ("**Ownership**:", "ownership"),
    ("`Dive Deep`", "dive deep"),
    ("Strive to be Earth’s Best Employer", "strive to be earth's best employer"),
    ("LP 3: Invent – and — Simplify", "invent and simplify"),
    ("#3  Think   Big ✅", "think big"),
    ("3) Frugality!", "frugality"),
    ("“Bias for Action”", "bias for action"),
    ("Are Right, A Lot.", "are right a lot"),
    ("Ｔｈｉｎｋ Ｂｉｇ", "think big"),
    ("t = 2022-01-26", "t = 2022 01 26"),
    ("", ""),
])
def test_normalize_name(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Widgetry Excellence", "widgetry-excellence"),
    ("Strive to be Earth’s Best Employer", "strive-to-be-earths-best-employer"),
    ("Qualität & Sorgfalt", "qualitat-and-sorgfalt"),
    ("../../etc/passwd", "etc-passwd"),
    ("顧客第一", ""),
])
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


# --- match -------------------------------------------------------------------------

_CANONICAL_FORMS = [
    (form, name)
    for number, name in enumerate(CANONICAL, start=1)
    for form in (name, name.upper(), name.lower(), f"{number}. {name}", f"{number}) {name.lower()}")
]

_VARIANTS = [
    # numbering
    ("13. Have Backbone; Disagree and Commit", BACKBONE),
    ("3) Invent and Simplify", INVENT),
    ("#3 Invent and Simplify", INVENT),
    ("LP 3: Invent and Simplify", INVENT),
    ("12.Dive Deep", DIVE),
    # trailing colon, parenthetical notes
    ("Ownership:", OWN),
    ("Dive Deep (Conflicts)", DIVE),
    ("13. Have Backbone; Disagree and Commit (Conflicts)", BACKBONE),
    ("Think (really) Big", BIG),
    # & versus and, apostrophes
    ("Learn & Be Curious", LEARN),
    ("Invent & Simplify", INVENT),
    ("Hire & Develop the Best", HIRE),
    ("Strive to be Earth’s Best Employer", EMPLOYER),
    ("Earth’s Best Employer", EMPLOYER),
    # punctuation differences
    ("Have Backbone, Disagree and Commit", BACKBONE),
    ("Have Backbone - Disagree and Commit", BACKBONE),
    ("Have Backbone: Disagree and Commit", BACKBONE),
    ("Are Right A Lot", RIGHT),
    ("Are Right, a lot", RIGHT),
    ("Are right; a lot", RIGHT),
    # short names and real variants
    ("Disagree and Commit", BACKBONE),
    ("Disagree & Commit", BACKBONE),
    ("Have Backbone", BACKBONE),
    ("Have Backbone, Disagree, Fully Commit", BACKBONE),
    ("Highest Standards", INSIST),
    ("Insist on High Standards", INSIST),
    ("Earth's Best Employer", EMPLOYER),
    ("Best Employer", EMPLOYER),
    ("Success and Scale", SCALE),
    ("Success & Scale", SCALE),
    # check marks, emoji, emphasis
    ("Customer Obsession ✔", CO),
    ("Customer Obsession ✅", CO),
    ("Ownership ✔️", OWN),
    ("🚀 Think Big", BIG),
    ("**Ownership**", OWN),
    ("__Ownership__", OWN),
    ("*Frugality*", FRUGAL),
    ("`Dive Deep`:", DIVE),
    ("**1. Customer Obsession** ✔", CO),
    # a gloss in another language
    ("Customer Obsession 顧客へのこだわり", CO),
    ("Customer Obsession（顧客へのこだわり）", CO),
    ("Ownership – Verantwortung", OWN),
    ("Ownership / オーナーシップ", OWN),
    ("Ownership | オーナーシップ", OWN),
    ("Frugality - Sparsamkeit", FRUGAL),
    ("Dive Deep: Gründlichkeit", DIVE),
    ("Disagree and Commit — 反対してコミット", BACKBONE),
    # quoted inside a question heading
    ('Questions on "Dive Deep":', DIVE),
    ("Tell me about “Bias for Action”?", BIAS),
    ("A time you showed “Have Backbone; Disagree and Commit”", BACKBONE),
    ('"Think Big"', BIG),
]


@pytest.mark.parametrize(("text", "expected"), _CANONICAL_FORMS + _VARIANTS)
def test_match_resolves(catalog: Catalog, text: str, expected: str) -> None:
    assert _name(catalog.match(text)) == expected


@pytest.mark.parametrize("text", [
    "How I learned to dive deep into logs",
    "We had to think big about the migration",
    "Ownership of the deploy pipeline",
    "Customer Obsession 2",
    "Customer Obsession Story",
    "Invent and Simplfy",
    "Customer Obssession",
    "Bias for Actions",
    "Dive Deeper",
    "Disagree",
    "Commit",
    "Best",
    "Purpose",
    "Log",
    "t = 2022-01-26",
    "t < 2022-01-26",
    "Situation",
    "Strong",
    "Weak",
    "Tough or critical feedback you received",
    "Leadership Principles",
    'Questions on "Dive Deep" and "Think Big"',
    'He said "dive into the logs"',
    "13.",
    "",
    "✔",
])
def test_match_rejects(catalog: Catalog, text: str) -> None:
    assert catalog.match(text) is None


# --- near_miss ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Invent and Simplfy", INVENT),
    ("3. Invent and simplfy", INVENT),
    ("Customer Obssession", CO),
    ("Bias for Actions", BIAS),
    ("Ownershp", OWN),
    ("Dive Deeper", DIVE),
    ("Think Bigger", BIG),
    ("Deliver Result", DELIVER),
    ("Insist on the Higest Standards", INSIST),
    ("Disagree and Comit", BACKBONE),
])
def test_near_miss_suggests(catalog: Catalog, text: str, expected: str) -> None:
    assert _name(catalog.near_miss(text)) == expected


@pytest.mark.parametrize("text", [
    "Invent and Simplify",  # matches: not a near miss
    "Disagree & Commit",
    "Purpose",
    "Log",
    "Tough or critical feedback you received",
    "Not able to meet a commitment",
    "Situation",
    "Task",
    "Action",
    "Result",
    "Results",
    "Reflection",
    "Weak",
    "Strong",
    "Leadership Principles",
    "t = 2022-01-26",
    "Frugal",
    "",
])
def test_near_miss_none(catalog: Catalog, text: str) -> None:
    assert catalog.near_miss(text) is None


def _near_miss_by_brute_force(catalog: Catalog, text: str) -> str | None:
    """near_miss without its shortcuts: every name and alias compared by difflib."""
    import difflib

    key = normalize_name(text)
    if not key or catalog.match(text) is not None:
        return None
    best, best_ratio = None, NEAR_MISS_CUTOFF
    for candidate, principle in catalog._keys.items():
        ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
        if ratio >= best_ratio and (best is None or ratio > best_ratio):
            best, best_ratio = principle, ratio
    return _name(best)


def test_near_miss_shortcuts_change_no_answer(catalog: Catalog) -> None:
    # Texts of every length around the names' lengths, typos at both ends, long titles.
    names = [p.name for p in catalog.principles]
    texts = [n[:cut] for n in names for cut in range(1, len(n) + 1, 3)]
    texts += [n[1:] + "x" for n in names] + [n + " " + "y" * k for n in names for k in (1, 4, 9, 20)]
    texts += ["Story: migrated the billing cluster without downtime", "Dive", "Own", "a" * 120]
    for text in texts:
        assert _name(catalog.near_miss(text)) == _near_miss_by_brute_force(catalog, text), text


# --- file names and titles ---------------------------------------------------------------


@pytest.mark.parametrize(("stem", "expected"), [
    ("1. Customer Obsession ✔", CO),
    ("Amazon-01-Customer-Obsession", CO),
    ("lp_dive_deep", DIVE),
    ("03 - Invent and Simplify", INVENT),
    ("Leadership Principle 4 - Are Right A Lot", RIGHT),
    ("LP-13-Disagree-and-Commit", BACKBONE),
    ("Have-Backbone-Disagree-and-Commit", BACKBONE),
    ("Strive-to-be-Earths-Best-Employer", EMPLOYER),
    ("15_strive_to_be_earth's_best_employer", EMPLOYER),
    ("amazon_lp_16_success_and_scale_bring_broad_responsibility", SCALE),
    ("Dive Deep.md", DIVE),
    ("THINK BIG", BIG),
    ("Customer Obsession 顧客へのこだわり", CO),
])
def test_match_filename(catalog: Catalog, stem: str, expected: str) -> None:
    assert _name(catalog.match_filename(stem)) == expected


@pytest.mark.parametrize("stem", [
    "Customer-Obsession-Notes",
    "my-dive-deep-stories",
    "Behavioral",
    "First Year Sr Director",
    "Leadership Principles",
    "amazon",
    "LP",
    "01",
    "",
])
def test_match_filename_rejects(catalog: Catalog, stem: str) -> None:
    assert catalog.match_filename(stem) is None


# --- tags --------------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "expected"), [
    ("lp/dive-deep", DIVE),
    ("LP/Customer-Obsession", CO),
    ("amazon/ownership", OWN),
    ("dive-deep", DIVE),
    ("lp/invent_and_simplify", INVENT),
    ("#lp/think-big", BIG),
    ("lp/disagree-and-commit", BACKBONE),
    ("lp/have-backbone-disagree-and-commit", BACKBONE),
    ("lp/earths-best-employer", EMPLOYER),
    ("lp/strive-to-be-earths-best-employer", EMPLOYER),
    ("lp/are-right-a-lot", RIGHT),
    ("interview/amazon/lp/frugality", FRUGAL),
])
def test_match_tag(catalog: Catalog, tag: str, expected: str) -> None:
    assert _name(catalog.match_tag(tag)) == expected


@pytest.mark.parametrize("tag", ["LP", "lp", "#LP", "lp/", "amazon", "lp/notes", "dive-deep/notes", "deep", ""])
def test_match_tag_rejects(catalog: Catalog, tag: str) -> None:
    assert catalog.match_tag(tag) is None


# --- quoted wording --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (
        "The bar for this one: leaders start with the customer and work backwards from the need,\n"
        "and even while they pay attention to competitors they obsess over customers.",
        CO,
    ),
    (
        "> Good leaders are owners who won't sacrifice long-term value, and they act\n"
        "> on behalf of the entire company. Nobody says “that’s not my job.”",
        OWN,
    ),
    (
        "A manager should operate at all levels, stay CONNECTED TO THE DETAILS and audit frequently.",
        DIVE,
    ),
    (
        "Spend money as if it were yours: accomplish more with less, because constraints breed "
        "resourcefulness; there are no extra points for a big team.",
        FRUGAL,
    ),
    (
        "Say so when you disagree and challenge decisions, even when it is uncomfortable or exhausting; "
        "then commit wholly.",
        BACKBONE,
    ),
])
def test_find_wording(catalog: Catalog, text: str, expected: str) -> None:
    assert _name(catalog.find_wording(text)) == expected


@pytest.mark.parametrize("text", [
    # a work log: no phrases at all
    "Followed up on the failed cluster upgrade, drafted the QA org chart for review and "
    "scheduled a pre-brief with two candidates. Need to chase the contract renewal next week.",
    # only one phrase of one principle
    "We tried to work backwards from the launch date.",
    # a tie: two phrases each of two principles
    "Start with the customer and work backwards, then audit frequently and stay connected to the details.",
    # phrases must be whole words
    "The networking backwardsness of this codebase",
    "",
])
def test_find_wording_none(catalog: Catalog, text: str) -> None:
    assert catalog.find_wording(text) is None


def test_wording_hits_counts_distinct_phrases(catalog: Catalog) -> None:
    text = "Work backwards. Work backwards again, and obsess over customers."
    assert catalog.wording_hits(text) == {CO: 2}


# --- build_catalog -----------------------------------------------------------------------------


def test_build_catalog_none_preset_with_extra() -> None:
    catalog = build_catalog(preset="none", extra=[
        {"name": "Widgetry Excellence", "aliases": ["Widgetry"], "summary": "Make widgets well."},
        {"name": "Bolt  Courage", "phrases": ["Tighten Every Bolt", "fear no torque"]},
    ])
    assert [p.name for p in catalog.principles] == ["Widgetry Excellence", "Bolt Courage"]
    widgetry = catalog.principles[0]
    assert widgetry == Principle(
        name="Widgetry Excellence", slug="widgetry-excellence", aliases=("Widgetry",),
        summary="Make widgets well.", phrases=(),
    )
    assert catalog.principles[1].phrases == ("tighten every bolt", "fear no torque")
    assert _name(catalog.match("2. widgetry ✔")) == "Widgetry Excellence"
    assert _name(catalog.match_tag("values/widgetry-excellence")) == "Widgetry Excellence"
    assert _name(catalog.find_wording("We tighten every bolt and fear no torque.")) == "Bolt Courage"
    assert catalog.match("Customer Obsession") is None


def test_build_catalog_appends_extra_to_amazon() -> None:
    catalog = build_catalog(extra=[{"name": "Widgetry Excellence"}])
    assert len(catalog) == 17
    assert catalog.principles[-1].name == "Widgetry Excellence"
    assert _name(catalog.match("Dive Deep")) == DIVE


def test_build_catalog_user_principle_replaces_same_name_in_place() -> None:
    catalog = build_catalog(extra=[{"name": "dive deep", "summary": "Ours.", "aliases": ["Root Cause"]}])
    assert len(catalog) == 16
    replaced = catalog.principles[11]
    assert (replaced.name, replaced.summary, replaced.slug) == ("dive deep", "Ours.", "dive-deep")
    assert catalog.match("Root Cause") is replaced
    assert catalog.match("Dive Deep") is replaced


def test_build_catalog_slug_fallback_and_uniqueness() -> None:
    catalog = build_catalog(preset="none", extra=[
        {"name": "顧客第一"},
        {"name": "Qualität"},
        {"name": "Qualitat!"},
    ])
    assert [p.slug for p in catalog.principles] == ["principle-1", "qualitat", "qualitat-2"]
    assert _name(catalog.match("顧客第一")) == "顧客第一"


@pytest.mark.parametrize(("extra", "message"), [
    ([{"aliases": ["X"]}], "'name'"),
    ([{"name": ""}], "'name'"),
    ([{"name": "   "}], "'name'"),
    ([{"name": 3}], "'name'"),
    ([{"name": "✔"}], "'name'"),
    ([{"name": "X", "colour": "red"}], "unknown key 'colour'"),
    ([{"name": "X", "alias": ["Y"]}], "unknown key 'alias'"),
    ([{"name": "X", "aliases": "Y"}], "'aliases' must be a list of strings"),
    ([{"name": "X", "aliases": ["Y", 2]}], "'aliases'"),
    ([{"name": "X", "summary": ["not", "a", "string"]}], "'summary' must be a string"),
    ([{"name": "X", "phrases": "one phrase"}], "'phrases' must be a list of strings"),
    ([{"name": "X"}, "Y"], "principles entry 2"),
])
def test_build_catalog_errors_name_the_key(extra: list[Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        build_catalog(preset="none", extra=extra)
    assert message in str(info.value)


def test_build_catalog_rejects_unknown_preset() -> None:
    with pytest.raises(ValueError, match="principles_preset"):
        build_catalog(preset="google")


def test_catalog_rejects_duplicate_names() -> None:
    with pytest.raises(ValueError, match="duplicated"):
        Catalog([Principle("Dive Deep", "dive-deep"), Principle("dive deep!", "dive-deep-2")])
