"""Story rules (LPV1xx): is each STAR story finished, concrete, yours and short enough?"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from lpvault.findings import Hit, Severity
from lpvault.model import Status, Story
from lpvault.rules.base import rule
from lpvault.vault import Vault

_NUMBER_WORDS = frozenset((
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens half halved "
    "double doubled triple tripled quadrupled twice thrice zero percent percentage "
    "seconds minutes hours days weeks months"  # "from days to hours" is a measured outcome too
).split())
_DIGIT = re.compile(r"[\d%]")
_WORD = re.compile(r"[a-z]+")
# "we" / "I" as words, with contractions; "i.e." is not "I". Group 1 is set for "we".
_PRONOUN = re.compile(r"(?<![\w'’.])(?:([Ww][Ee])|[Ii])(?:['’](?:re|ve|d|ll|m))?(?![\w'’]|\.\w)")


def _quote(story: Story) -> str:
    return f"'{story.title}'"


def _measured(text: str) -> bool:
    """A digit, a percentage or a number word in `text`."""
    return bool(_DIGIT.search(text)) or not _NUMBER_WORDS.isdisjoint(_WORD.findall(text.lower()))


def _and_list(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@rule("LPV101", "blank-skeleton", Severity.ERROR, scope="story")
def blank_skeleton(story: Story, vault: Vault) -> Iterator[Hit]:
    """Blank STAR skeleton: the story has part labels but every part is empty.

    Why: a skeleton looks like progress in the file list and the index, but in
    the interview it leaves you with nothing to say. Fill it in or delete it.
    """
    if story.status is Status.BLANK:
        yield Hit(story.line, 1, f"story {_quote(story)} is a blank STAR skeleton: fill it in or delete it")


@rule("LPV102", "missing-part", Severity.WARNING, scope="story")
def missing_part(story: Story, vault: Vault) -> Iterator[Hit]:
    """Story missing a required part (which one): by default Situation, Action and Result.

    Why: an answer without its Situation has no stakes, without its Action no
    you, and without its Result no point. Task is optional unless
    `required_parts` says otherwise. Reported at the first blank part's label,
    or at the story when the label is missing too; a blank skeleton is
    reported once, as blank-skeleton, not here.
    """
    if story.status is not Status.PARTIAL:
        return
    wanted = [part for part in vault.config.required_parts if part not in story.filled]
    blank = [story.parts[p] for p in wanted if p in story.parts]
    absent = [p for p in wanted if p not in story.parts]
    if blank or absent:
        line = min(p.line for p in blank) if blank else story.line
        yield Hit(line, 1, f"story {_quote(story)} has {_gaps([p.name for p in blank], absent)}")


def _gaps(blank: list[str], absent: list[str]) -> str:
    """'a blank Action and no Result', 'no Action and Result', ..."""
    said = [f"a blank {_and_list(p.capitalize() for p in blank)}"] if blank else []
    said += [f"no {_and_list(p.capitalize() for p in absent)}"] if absent else []
    return " and ".join(said)


@rule("LPV103", "placeholder", Severity.WARNING, scope="story")
def placeholder(story: Story, vault: Vault) -> Iterator[Hit]:
    """Placeholder text (`u`, `x`, `?`, `...`, `TODO`, `TBD`, ...) left in a story part.

    Why: a placeholder marks a gap you meant to come back to; it reads as
    finished at a glance. Reported on each line. The placeholders are
    configurable; a blank skeleton is reported as a whole instead.
    """
    if story.status is Status.BLANK:
        return
    for part in (*story.parts.values(), *story.extras.values()):
        for line in part.placeholder_lines:
            yield Hit(line, 1, f"placeholder left in {part.label} of story {_quote(story)}")


@rule("LPV104", "result-without-metric", Severity.INFO, scope="story")
def result_without_metric(story: Story, vault: Vault) -> Iterator[Hit]:
    """Result with no number or measurable outcome.

    Why: "it went well" is forgettable; "support tickets fell by a third" is
    what an interviewer writes down. A digit, a percentage, a number word
    ("half", "twice", "three") or a span of time ("from days to hours") counts.
    """
    result = story.parts.get("result")
    if result is not None and not result.blank and not _measured(result.text):
        yield Hit(result.line, 1, f"the Result of story {_quote(story)} has no number or measurable outcome")


@rule("LPV105", "we-not-i", Severity.INFO, scope="story")
def we_not_i(story: Story, vault: Vault) -> Iterator[Hit]:
    """Action told mostly as "we" rather than "I".

    Why: the interviewer is hiring you, not your team; an Action where "we"
    outnumbers "I" hides what you did yourself.
    """
    action = story.parts.get("action")
    if action is None or action.blank:
        return
    pronouns = [bool(we) for we in _PRONOUN.findall(action.text)]
    we, i = sum(pronouns), len(pronouns) - sum(pronouns)
    if we > i:
        yield Hit(action.line, 1, f"the Action of story {_quote(story)} has more \"we\" ({we}) than \"I\" ({i}): "
                                  "say what you did")


@rule("LPV106", "story-too-long", Severity.WARNING, scope="story")
def story_too_long(story: Story, vault: Vault) -> Iterator[Hit]:
    """Story longer than a three-minute answer (`word_budget`, 450 words by default).

    Why: spoken at about 150 words a minute, a longer story overruns the two to
    three minutes an interviewer gives an answer; cut the Situation first.
    """
    budget = vault.config.word_budget
    if story.words > budget:
        yield Hit(story.line, 1, f"story {_quote(story)} is {story.words} words, over the budget of {budget}")


@rule("LPV107", "unstructured-story", Severity.INFO, scope="story")
def unstructured_story(story: Story, vault: Vault) -> Iterator[Hit]:
    """Unstructured story: prose under a principle heading with no STAR labels.

    Why: notes without Situation / Action / Result labels cannot be checked
    for gaps, and tend to ramble when told aloud.
    """
    if story.status is Status.UNSTRUCTURED:
        yield Hit(story.line, 1, f"section {_quote(story)} has prose but no STAR labels (Situation, Action, Result)")

