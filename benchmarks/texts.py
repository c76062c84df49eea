"""The words and note styles of the generated vault (our own text, in the seeds' shapes)."""
from __future__ import annotations

import random

WORDS = (
    "team service customer latency migration budget roadmap incident review launch pipeline cluster "
    "dashboard metric alert vendor contract partner escalation backlog sprint release rollout outage "
    "database schema queue cache region capacity forecast hiring onboarding mentor feedback design "
    "proposal document estimate deadline priority tradeoff risk audit compliance security access "
    "policy storage cost savings revenue churn retention adoption survey interview workshop demo "
    "prototype experiment baseline regression test coverage deploy rollback config ownership handoff "
    "quarter goal milestone plan scope requirement stakeholder director manager engineer analyst "
    "the a our their my with for from into over under after before during while because although "
    "built moved cut raised measured shipped wrote asked agreed disagreed found fixed reduced grew "
    "improved automated simplified negotiated escalated documented reviewed trained hired aligned"
).split()
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Soylent")
AREAS = ("Platform", "Payments", "Search", "Data", "Mobile", "Infra", "Growth", "Security")
# Canonical names and the ways people write them in headings.
PRINCIPLES = (
    ("Customer Obsession", "Customer Obsession", "1. Customer Obsession"),
    ("Ownership", "Ownership", "2. Ownership ✔"),
    ("Invent and Simplify", "Invent & Simplify", "3. Invent and simplify"),
    ("Are Right, A Lot", "Are Right, a lot", "4. Are Right A Lot"),
    ("Learn and Be Curious", "Learn & Be Curious", "5. Learn and be curious"),
    ("Hire and Develop the Best", "Hire and Develop the Best", "6. Hire & Develop The Best"),
    ("Insist on the Highest Standards", "Insist on High Standards", "Highest Standards"),
    ("Think Big", "Think Big", "8. Think big"),
    ("Bias for Action", "Bias for Action", "9. Bias For Action (speed)"),
    ("Frugality", "Frugality", "10. Frugality"),
    ("Earn Trust", "Earn Trust", "11. Earn trust"),
    ("Dive Deep", "Dive Deep", "12. Dive deep"),
    ("Have Backbone; Disagree and Commit", "Disagree and Commit", "Disagree & Commit"),
    ("Deliver Results", "Deliver Results", "14. Deliver results"),
    ("Strive to be Earth's Best Employer", "Earth's Best Employer", "Strive to be Earth’s Best Employer"),
    ("Success and Scale Bring Broad Responsibility", "Success and Scale Bring Broad Responsibility",
     "16. Success and scale bring broad responsibility"),
)
WORDING = (
    "Leaders start with the customer and work backwards, and obsess over customers.",
    "Leaders are owners who think long term and act on behalf of the entire company.",
)


def title(rng: random.Random) -> str:
    """A note or story title of two to four words."""
    words = rng.sample(WORDS[:70], rng.randint(2, 4))
    return " ".join(words).capitalize()


def skeleton_template() -> str:
    """The STAR template of the vault's template folder (blank on purpose, skipped)."""
    return "## {{title}}\n\n* **Situation**: \n* **Task**: \n* **Action**: \n* **Result**: \n"


class NoteWriter:
    """Writes notes in every seed style, linking to the vault's other notes."""

    def __init__(self, rng: random.Random, names: list[str], broken_rate: float) -> None:
        self.rng, self.names, self.broken_rate = rng, names, broken_rate
        self.keys: list[str] = []

    # -- shared pieces ---------------------------------------------------------------

    def sentence(self, low: int = 6, high: int = 22) -> str:
        """A sentence of plain words, sometimes with a number (Results want numbers)."""
        words = self.rng.choices(WORDS, k=self.rng.randint(low, high))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), f"{self.rng.randint(2, 95)}%")
        return " ".join(words).capitalize() + "."

    def link(self) -> str:
        """A wikilink to another note, in one of Obsidian's forms; some are broken."""
        rng = self.rng
        if rng.random() < self.broken_rate:
            return f"[[Missing note {rng.randint(1, 999)}]]"
        name = rng.choice(self.names)
        form = rng.random()
        if form < 0.6:
            return f"[[{name}]]"
        if form < 0.8:
            return f"[[{name}|{title(rng).lower()}]]"
        if form < 0.95:
            return f"[[{name}#Log]]"
        return f"![[diagram-{rng.randint(0, 19):02}.png]]"

    def prose(self, sentences: int = 3) -> str:
        """A paragraph with a link or a tag now and then."""
        parts = [self.sentence() for _ in range(sentences)]
        if self.rng.random() < 0.5:
            parts.append(f"See {self.link()}.")
        if self.rng.random() < 0.3:
            parts.append(f"#{self.rng.choice(('project', 'area', 'followup'))}/{self.rng.choice(AREAS).lower()}")
        return " ".join(parts)

    def fence(self) -> str:
        """A code fence whose links, tags and headings must not count."""
        return "```python\n# not a heading\nlink = \"[[Not a link]]\"  # #not-a-tag\nprint(link)\n```"

    def principles(self, count: int) -> list[tuple[str, str]]:
        """(canonical, as written) for `count` distinct principles."""
        return [(p[0], self.rng.choice(p[1:])) for p in self.rng.sample(PRINCIPLES, count)]

    def note(self, style: str) -> str:
        """A whole note in `style`."""
        return getattr(self, f"_{style}_head")() + self.body(style)

    def body(self, style: str) -> str:
        """A note's body in `style` (repeated to grow a large note)."""
        return getattr(self, f"_{style}")()

    # -- daily logs: no stories ------------------------------------------------------

    def _journal_head(self) -> str:
        day = f"20{self.rng.randint(14, 24)}-{self.rng.randint(1, 12):02}-{self.rng.randint(1, 28):02}"
        return f"---\ntitle: \"Log {day}\"\ndate: {day}T08:30:00-08:00\ndraft: true\n---\n\n"

    def _journal(self) -> str:
        rng = self.rng
        out = ["# Purpose", "", self.prose(rng.randint(2, 5)), "", "## Log", ""]
        for _ in range(rng.randint(1, 3)):
            out += [f"### t = {rng.randint(8, 18)}:00", ""]
            out += [f"* {self.sentence()}" for _ in range(rng.randint(2, 6))]
            out += [f"  * {self.sentence(3, 9)}" for _ in range(rng.randint(0, 2))]
            out += [f"* `remembered` - {self.sentence(4, 10)} {self.link()}", ""]
        if rng.random() < 0.2:
            out += [self.fence(), ""]
        return "\n".join(out) + "\n"

    # -- StackEdit: ## Principle, quoted wording, * **Situation**: bullets, skeletons --

    def _stackedit_head(self) -> str:
        return ""

    def _stackedit(self) -> str:
        out = []
        for _, written in self.principles(self.rng.randint(2, 5)):
            out += [f"## {written}", "", f"> {self.sentence(12, 30)}", ""]
            for _ in range(self.rng.randint(1, 2)):
                out += self._star_bullets(blank=self.rng.random() < 0.3) + ["&nbsp;"]
            out.append("")
        out.append("<!--stackedit_data:\neyJoaXN0b3J5IjpbMTAwMDAwMDAwMF19\n-->")
        return "\n".join(out) + "\n"

    def _star_bullets(self, *, blank: bool) -> list[str]:
        labels = ("Situation", "Task", "Action", "Result")
        if blank:
            return [f"* **{label}**: " for label in labels]
        lines = [f"* **{label}**: {self.sentence()}" for label in labels[:3]]
        lines += [f"\t* {self.sentence(5, 12)}" for _ in range(self.rng.randint(0, 3))]
        return lines + [f"* **Result**: {self.sentence()} {self.link()}", f"\t* Value: {self.sentence(4, 9)}"]

    # -- Jekyll: front matter, numbered headings, **Project:** KEY. Title ---------------

    def _jekyll_head(self) -> str:
        return f"---\ntitle: {title(self.rng)}\nnav_order: {self.rng.randint(1, 30)}\nlayout: default\n---\n\n"

    def _jekyll(self) -> str:
        rng = self.rng
        out = [f"# {title(rng)}", "", "* TOC", "{:toc}", ""]
        for _, written in self.principles(rng.randint(2, 6)):
            if self.keys and rng.random() < 0.15:
                key = rng.choice(self.keys)  # the same project reused under another principle
            else:
                key = f"{rng.choice(('CR', 'EN', 'IT', 'PX'))}{rng.randint(1, 999)}"
                self.keys.append(key)
            out += [f"## {written}", "", f"- **Value:** {self.sentence(5, 10)}",
                    f"- **Project:** {key}. {title(rng)}", f"  - **At:** {rng.choice(COMPANIES)}",
                    "  - **Situation:**", f"    - {self.sentence()}", f"    - {self.sentence(4, 9)}",
                    f"  - **Action** {self.sentence()}", f"  - **Result:** {self.sentence()}", ""]
        return "\n".join(out) + "\n"

    # -- Situation: lines over bullets, ##Strong:, #LP tag, - u placeholders -------------

    def _weakstrong_head(self) -> str:
        return f"\n#LP\n{self.rng.choice(WORDING)}\n\n"

    def _weakstrong(self) -> str:
        out = ["Disclaimer:", "", self.prose(2), "", "##Strong:", "", "##Weak:", f"{self.sentence(3, 6)}"]
        for label in ("Situation", "Task", "Action", "Result"):
            out += [f"{label}:"] + ["- " + self.sentence() for _ in range(self.rng.randint(1, 4))] + [""]
        out += ["Reflection:", "", f"- {self.sentence()} {self.link()}", "", "5 Whys:", "- u", "- u", ""]
        return "\n".join(out) + "\n"

    # -- Hugo: TOML front matter, ### question stories, inline labels --------------------

    def _hugo_head(self) -> str:
        return f"+++\ntitle = '{title(self.rng)}'\ndate = 2025-02-02T17:42:35-08:00\ndraft = true\n+++\n"

    def _hugo(self) -> str:
        out = []
        for _, written in self.principles(self.rng.randint(1, 3)):
            out.append(f"## {written}")
            for number in range(self.rng.randint(1, 4)):
                situation = "" if self.rng.random() < 0.1 else self.sentence(15, 40)
                out += [f"### {self.sentence(4, 9)[:-1]}", f"Customer Problem: {self.sentence()}",
                        f"Situation: {situation}", f"Actions: {self.sentence(20, 50)} {self.link()}",
                        f"Results: {self.sentence(10, 30)}", f"Do Differently: {self.sentence()}", ""]
        return "\n".join(out) + "\n"
