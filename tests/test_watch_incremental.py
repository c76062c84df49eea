"""The watcher's incremental cycle (LiveVault -> page_renderer) against a full index.

After every edit, add, delete or rename, what `page_renderer` renders from the live
model must equal `render_pages(load_vault(...))` of the same files, and what the
kept lint findings say must equal `lint` of the same vault: whatever is kept across
cycles (story bank, link resolver, lint findings, page contexts, rendered texts)
must never show a stale result.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from lpvault import render as render_module
from lpvault.config import load_config
from lpvault.lint import LintMemo, lint
from lpvault.live import LiveVault
from lpvault.pipeline import load_vault, page_renderer, render_pages
from lpvault.principles import build_catalog
from lpvault.vault import StoryBank
from lpvault.write import Written, write_outputs

from tests.conftest import analyse


def story(principle: str, title: str, result: str = "Latency fell by 40%.", *, extra: str = "") -> str:
    """One complete STAR story under a principle heading."""
    return (f"## {principle}\n\n### {title}\n- **Situation:** Search was slow.\n- **Task:** Make it fast.\n"
            f"- **Action:** I rebuilt the index.\n- **Result:** {result}\n{extra}\n")


class Session:
    """A vault edited on disk, followed by a LiveVault and a page renderer as `watch` does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = load_config(root)
        self.model = LiveVault(root, self.config)
        self.model.rescan()
        self.render = page_renderer(root, self.config)
        self.lint_memo = LintMemo()
        self.written = Written()
        self.check()

    def save(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.model.update([rel])
        self.check()

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink()
        self.model.update([rel])
        self.check()

    def rename(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / old, self.root / new)
        self.model.update([old, new])
        self.check()

    def check(self) -> dict[str, str]:
        """The live index equals a full one; so do the kept lint findings. Then write it, as watch does."""
        vault = self.model.vault()
        outputs = self.render(vault)
        full = load_vault(self.root, self.config, use_cache=False)
        assert outputs == render_pages(self.root, full)
        assert self.lint_memo.findings(vault) == lint(vault) == lint(full)
        write_outputs(self.root, outputs, self.config.output, self.written)
        return outputs


@pytest.fixture
def session(tmp_path: Path) -> Session:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "Search.md").write_text(
        "# Search\n\nSee [[Billing#Pricing]], [[Billing#^decision]] and [[Roadmap]].\n\n"
        + story("Customer Obsession", "Faster search"), encoding="utf-8")
    (root / "Billing.md").write_text(
        "# Billing\n\n## Pricing\n\nWe chose flat pricing. ^decision\n\n" + story("Ownership", "Invoices"),
        encoding="utf-8")
    (root / "Shared one.md").write_text(story("Dive Deep", "Outage"), encoding="utf-8")
    (root / "Shared two.md").write_text(story("Ownership", "Outage"), encoding="utf-8")
    (root / "Journal.md").write_text("# Journal\n\nRead [[Dive Deep]] again. #lp/ownership\n", encoding="utf-8")
    return Session(root)


def test_edits_adds_deletes_and_renames_match_a_full_index(session: Session) -> None:
    s = session
    s.save("Search.md", (s.root / "Search.md").read_text() + "\nMore text.\n")  # nothing visible changes
    s.save("Search.md", (s.root / "Search.md").read_text().replace("fell by 40%", "fell by a half"))
    s.save("Roadmap.md", "# Roadmap\n\nNext year.\n")  # a link target appears: a broken link mends
    s.delete("Roadmap.md")  # and disappears again
    s.save("Billing.md", (s.root / "Billing.md").read_text().replace("## Pricing", "## Prices"))  # heading gone
    s.save("Billing.md", (s.root / "Billing.md").read_text().replace("^decision", "^choice"))  # block id gone
    s.rename("Billing.md", "Finance/Billing.md")  # a folder appears with the note
    s.rename("Finance/Billing.md", "Billing.md")
    s.save("Shared two.md", story("Bias for Action", "Outage"))  # a reused story's principle changes
    s.save("Shared three.md", story("Frugality", "Outage"))
    s.save("Shared four.md", story("Think Big", "Outage"))  # serves four principles: story-reused
    s.delete("Shared one.md")
    s.save("Journal.md", "# Journal\n\nRead [[Ownership]] instead.\n")  # backlinks move
    s.save("Journal.md", "# Journal\n\n<!-- lpvault-disable -->\n" + story("Dive Deep", "Blank", result=""))
    s.save("picture.png", "not really a picture")  # another file
    s.save("Search.md", "# Search\n\n![[picture.png]] [[Journal#Dive Deep]]\n" + story("Earn Trust", "Faster"))
    s.delete("picture.png")


def test_files_of_the_same_name_coming_and_going(session: Session) -> None:
    s = session
    s.save("Archive/Billing.md", "# Billing\n\nOld.\n")  # [[Billing]] is ambiguous: story links name the path
    s.save("Archive/Shared one.md", story("Frugality", "Old outage"))
    s.save("Journal.md", "# Journal\n\n[[Billing#Pricing]] [[Shared one]] [[Dive Deep]] [[Frugality]]\n")
    s.rename("Archive/Billing.md", "Archive/Billing old.md")
    s.save("Billing.pdf", "a file named like a note")
    s.save("Journal.md", "# Journal\n\n[[Billing.pdf]] [[Billing]] [[Billing.md]] [[Archive/Shared one]]\n")
    s.delete("Billing.pdf")
    s.delete("Archive/Shared one.md")
    s.rename("Shared two.md", "Archive/Shared two.md")


def test_a_note_named_like_an_index_note_and_the_index_notes_themselves(session: Session) -> None:
    s = session
    s.save("Notes/Dive Deep.md", "# Dive Deep\n\nMy own note.\n")  # links to the index note are ambiguous now
    s.save("Journal.md", "# Journal\n\n[[LP Index/Dive Deep]] and [[Notes/Dive Deep]]\n")
    s.delete("Notes/Dive Deep.md")
    s.model.update(str(p.relative_to(s.root)) for p in (s.root / "LP Index").glob("*.md"))
    s.check()


def test_random_edits_match_a_full_index(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    principles = ["Customer Obsession", "Ownership", "Dive Deep", "Frugality", "Earn Trust"]
    rng = random.Random(5)
    names = [f"note {i}.md" for i in range(8)] + [f"folder/note {i}.md" for i in range(4)]

    def text() -> str:
        parts = [f"# {rng.choice(['A', 'B', 'Pricing'])}\n"]
        for _ in range(rng.randint(0, 3)):
            parts.append(story(rng.choice(principles), rng.choice(["Outage", "Migration", "Hiring"]),
                               rng.choice(["Costs fell by 10%.", "It went well.", ""])))
        parts.append(f"See [[{rng.choice(names)[:-3]}#{rng.choice(['A', 'Pricing', 'Outage'])}]] "
                     f"and [[{rng.choice(principles)}]].\n")
        return "\n".join(parts)

    for name in names[:6]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text(), encoding="utf-8")
    s = Session(root)
    for _ in range(40):
        name = rng.choice(names)
        action = rng.random()
        if (root / name).exists() and action < 0.2:
            s.delete(name)
        elif (root / name).exists() and action < 0.3:
            target = rng.choice([n for n in names if not (root / n).exists()] or [name])
            if target != name:
                (root / target).parent.mkdir(parents=True, exist_ok=True)
                s.rename(name, target)
        else:
            s.save(name, text())


def test_only_pages_whose_context_changed_are_rendered(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []
    real = render_module.render

    def counting(env, name, context):  # type: ignore[no-untyped-def]
        rendered.append(context["principle"].name if "principle" in context else "hub")
        return real(env, name, context)

    monkeypatch.setattr(render_module, "render", counting)
    root, model = session.root, session.model
    render = page_renderer(root, session.config)  # made with the counting render
    render(model.vault())
    assert len(rendered) == 17  # the first call renders everything

    def save(rel: str, text: str) -> list[str]:
        (root / rel).write_text(text, encoding="utf-8")
        model.update([rel])
        rendered.clear()
        render(model.vault())
        return rendered

    text = (root / "Search.md").read_text()
    assert save("Search.md", text + "\nMore text.\n") == []  # nothing the index notes show changed
    assert save("Search.md", text.replace("fell by 40%", "fell by 45%")) == ["Customer Obsession"]
    assert save("Search.md", text.replace("fell by 40%", "went well")) == ["Customer Obsession", "hub"]  # LPV104


def test_written_outputs_are_not_read_again_but_a_hand_edit_is_undone(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / "LP Index").mkdir(parents=True)
    text = "---\nlpvault: generated\n---\nbody\n"
    written = Written()
    assert write_outputs(root, {"LP Index/a.md": text}, "LP Index", written).written == ["LP Index/a.md"]
    assert write_outputs(root, {"LP Index/a.md": text}, "LP Index", written).unchanged == ["LP Index/a.md"]
    (root / "LP Index/a.md").write_text("---\nlpvault: generated\n---\nBODY\n", encoding="utf-8")
    assert write_outputs(root, {"LP Index/a.md": text}, "LP Index", written).written == ["LP Index/a.md"]
    assert (root / "LP Index/a.md").read_text(encoding="utf-8") == text


def test_story_bank_replace_equals_a_bank_built_afresh() -> None:
    catalog = build_catalog()
    rng = random.Random(3)
    principles = ["Customer Obsession", "Ownership", "Dive Deep", "Frugality"]

    def note(path: str) -> tuple:
        text = "\n".join(story(rng.choice(principles), rng.choice(["Outage", "Migration"]),
                               rng.choice(["Costs fell by 10%.", ""])) for _ in range(rng.randint(0, 3)))
        return analyse(text, path).stories

    told = {f"n{i}.md": note(f"n{i}.md") for i in range(6)}
    bank = StoryBank.build([s for stories in told.values() for s in stories], catalog)
    for _ in range(30):
        path = f"n{rng.randint(0, 7)}.md"
        new = note(path) if rng.random() < 0.8 else ()
        before = _views(bank, principles)
        replaced = bank.replace(told.get(path, ()), new)
        assert _views(bank, principles) == before  # the old bank is left as it was
        told[path] = new
        bank = replaced
        fresh = StoryBank.build([s for stories in told.values() for s in stories], catalog)
        assert _views(bank, principles) == _views(fresh, principles)


def _views(bank: StoryBank, principles: list[str]) -> tuple:
    return (bank.entries, tuple(tuple(bank.under(p)) for p in principles), tuple(bank.reused),
            tuple(bank.unassigned), tuple(tuple(bank.told(p)) for p in principles), bank.statuses(),
            sorted(bank.told_names()))


def test_link_resolver_updated_equals_a_resolver_built_afresh() -> None:
    from lpvault.obsidian import LinkResolver, lookup_keys, target_keys

    rng = random.Random(11)
    pool = [f"{folder}{name}" for folder in ("", "a/", "a/b/", "c/")
            for name in ("Foo.md", "foo.md", "Foo.md.md", "Foo.pdf", "x.y.md", "x.y", "Bar.md")]
    links = ["Foo", "foo.md", "a/Foo", "Foo.pdf", "x.y", "x.y.md", "Bar", "./Foo", "../Foo", "/c/Foo", "b/Foo.md"]
    notes: set[str] = set(rng.sample([p for p in pool if p.endswith(".md")], 6))
    others: set[str] = {p for p in pool if not p.endswith(".md")} - set(rng.sample(pool, 4))
    resolver = LinkResolver(sorted(notes), sorted(others))
    for _ in range(60):
        added = {p for p in rng.sample(pool, 3) if p not in notes | others}
        removed = set(rng.sample(sorted(notes | others), min(2, len(notes | others))))
        new_others = {p for p in added if not p.endswith(".md")}
        notes, others = (notes - removed) | (added - new_others), (others - removed) | new_others
        old, resolver = resolver, resolver.updated(added, removed, others=new_others)
        fresh = LinkResolver(sorted(notes), sorted(others))
        names = {p.rsplit("/", 1)[-1].lower() for p in added | removed}
        for source in ["a/b/note.md", "c/note.md", "note.md"]:
            for link in links:
                assert resolver.candidates(link, source) == fresh.candidates(link, source), (link, source)
                if names.isdisjoint(lookup_keys(link)):  # what the incremental cycle relies on
                    assert old.resolve(link, source) == resolver.resolve(link, source)
        for path in notes:
            assert resolver.link_path_for(path) == fresh.link_path_for(path)
            if names.isdisjoint(target_keys(path)) and path in old:
                assert old.link_path_for(path) == resolver.link_path_for(path)
