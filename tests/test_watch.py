"""`lpvault watch` on real temp folders with real observers (native and polling).

Most tests drive the installed command in a subprocess, as users run it, and
wait on conditions with a generous timeout: no fixed sleeps, no timing
assertions. The oracle for "the index is right" is `index --check`: what the
watcher left must be byte for byte what a full `lpvault index` would write.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from watchdog.events import (
    DirDeletedEvent, DirModifiedEvent, DirMovedEvent, FileClosedNoWriteEvent, FileCreatedEvent,
    FileModifiedEvent, FileMovedEvent, FileOpenedEvent,
)

from lpvault.cli import main
from lpvault.config import Config, load_config
from lpvault.live import LiveVault, Update
from lpvault.lock import lock_path
from lpvault.pipeline import run_index
from lpvault.events import ChangeRecorder, is_temp_name
from lpvault.watch import CycleReport, Watcher

TIMEOUT = 60.0  # generous: a loaded CI machine, and polling checks once a second
CYCLE = re.compile(r"^\[watch\] \d+ notes? (?:re-parsed|read)")
OBSERVERS = [pytest.param([], id="native"), pytest.param(["--polling"], id="polling")]


def story(principle: str, title: str, result: str = "Latency fell by 40%.") -> str:
    """A note with one complete STAR story under a principle heading."""
    return (f"# Notes\n\n## {principle}\n\n### {title}\n- **Situation:** Search was slow.\n"
            f"- **Task:** Make it fast.\n- **Action:** I rebuilt the index.\n- **Result:** {result}\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page(vault: Path, name: str) -> str:
    """An index note's text ('' while it does not exist)."""
    try:
        return (vault / "LP Index" / f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def wait_until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def index_is_current(vault: Path) -> bool:
    """What `index --check` says: the index notes are exactly what a full index writes."""
    return not run_index(vault, load_config(vault), check=True).stale


def lpvault_command() -> list[str]:
    """The installed console script (what users run), else `python -m lpvault`."""
    script = Path(sys.executable).with_name("lpvault")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lpvault"]


class WatchProcess:
    """`lpvault watch` in a subprocess; threads collect its output lines."""

    def __init__(self, vault: Path, *args: str) -> None:
        self.vault = vault
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc = subprocess.Popen([*lpvault_command(), "watch", str(vault), *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def ready(self) -> WatchProcess:
        """Wait for the first full index and the 'watching' line."""
        wait_until(lambda: any("[watch] watching" in line for line in self.out) or self.proc.poll() is not None,
                   "the watcher to start")
        assert self.proc.poll() is None, f"watch exited: {self.out} {self.err}"
        self.start = len(self.out)
        return self

    def cycles(self) -> list[str]:
        """Cycle lines printed since `ready`."""
        return [line for line in self.out[self.start:] if CYCLE.match(line)]

    def wait_cycle(self, pattern: str) -> str:
        """The first cycle line since `ready` that matches `pattern`."""
        wait_until(lambda: any(re.search(pattern, line) for line in self.cycles()), f"a cycle line like {pattern!r}")
        return next(line for line in self.cycles() if re.search(pattern, line))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    write(root / "Search.md", story("Customer Obsession", "Search platform"))
    write(root / "Projects" / "Billing.md", story("Dive Deep", "Billing outage"))
    write(root / "Journal.md", "# Journal\n\nNo stories here.\n")
    return root


@pytest.fixture
def watching(vault: Path, request: pytest.FixtureRequest):
    """Start `lpvault watch` with extra arguments; stopped (killed if need be) after the test."""
    started: list[WatchProcess] = []

    def start(*args: str, root: Path = vault) -> WatchProcess:
        started.append(WatchProcess(root, *args))
        return started[-1]

    yield start
    for process in started:
        process.kill()


# -- what users do in the editor ------------------------------------------------------


@pytest.mark.parametrize("args", OBSERVERS)
def test_edit_is_reflected(vault: Path, watching, args: list[str]) -> None:
    watcher = watching(*args).ready()
    assert "Search platform" in page(vault, "Customer Obsession")
    write(vault / "Search.md", story("Customer Obsession", "Search platform v2"))
    wait_until(lambda: "Search platform v2" in page(vault, "Customer Obsession"), "the edited title")
    wait_until(lambda: index_is_current(vault), "the index to equal a full index")
    assert watcher.wait_cycle(r"1 note re-parsed \(Search\.md\)")


@pytest.mark.parametrize("args", OBSERVERS)
def test_create_and_delete(vault: Path, watching, args: list[str]) -> None:
    watching(*args).ready()
    note = write(vault / "Ideas" / "Cache.md", story("Think Big", "Cache everything"))
    wait_until(lambda: "Cache everything" in page(vault, "Think Big"), "the new note's story")
    note.unlink()
    wait_until(lambda: "Cache everything" not in page(vault, "Think Big"), "the deleted note's story to go")
    wait_until(lambda: index_is_current(vault), "the index to equal a full index")


@pytest.mark.parametrize("args", OBSERVERS)
def test_rename_keeps_stories_under_the_new_path(vault: Path, watching, args: list[str]) -> None:
    watching(*args).ready()
    os.rename(vault / "Search.md", vault / "Search v2.md")
    wait_until(lambda: "[[Search v2#" in page(vault, "Customer Obsession"), "links to the renamed note")
    assert "[[Search#" not in page(vault, "Customer Obsession")
    wait_until(lambda: index_is_current(vault), "the index to equal a full index")


@pytest.mark.parametrize("args", OBSERVERS)
def test_folder_moves_inside_out_of_and_into_the_vault(vault: Path, watching, args: list[str], tmp_path: Path) -> None:
    write(vault / "Other" / "Billing.md", "# Another note named Billing\n")  # links must then carry the folder
    watching(*args).ready()
    assert "[[Projects/Billing#" in page(vault, "Dive Deep")
    (vault / "Archive").mkdir()
    os.rename(vault / "Projects", vault / "Archive" / "Projects")
    wait_until(lambda: "[[Archive/Projects/Billing#" in page(vault, "Dive Deep"), "links re-resolved after the move")
    os.rename(vault / "Archive", tmp_path / "Archive")  # out of the vault
    wait_until(lambda: "Billing outage" not in page(vault, "Dive Deep"), "the moved-out notes to leave the index")
    os.rename(tmp_path / "Archive", vault / "Back")  # and back in under another name
    wait_until(lambda: "[[Back/Projects/Billing#" in page(vault, "Dive Deep"), "the moved-in notes")
    wait_until(lambda: index_is_current(vault), "the index to equal a full index")


@pytest.mark.parametrize("args", OBSERVERS)
def test_editor_style_atomic_save(vault: Path, watching, args: list[str]) -> None:
    watcher = watching(*args, "--verbose").ready()
    temp = write(vault / ".Search.md.tmp", story("Customer Obsession", "Saved atomically"))
    os.replace(temp, vault / "Search.md")  # what many editors do: write a temp file, rename it over
    wait_until(lambda: "Saved atomically" in page(vault, "Customer Obsession"), "the atomically saved story")
    wait_until(lambda: index_is_current(vault), "the index to equal a full index")
    assert not any(".tmp" in line for line in watcher.out)


def test_swap_and_temp_files_never_wake_the_loop(vault: Path, watching) -> None:
    watcher = watching().ready()
    for name in (".Search.md.swp", "Search.md~", ".#Search.md", "Search.md.tmp", "#Search.md#"):
        write(vault / name, story("Ownership", "From a temp file"))
    write(vault / "Journal.md", "# Journal\n\nA sentinel edit.\n")
    watcher.wait_cycle(r"1 note re-parsed \(Journal\.md\)")
    assert len(watcher.cycles()) == 1
    assert "From a temp file" not in page(vault, "Ownership")


def test_burst_of_200_writes_is_one_or_a_few_cycles(vault: Path, watching) -> None:
    watcher = watching().ready()
    for number in range(200):
        write(vault / "Burst" / f"Story {number}.md", story("Frugality", f"Burst story {number}"))
    wait_until(lambda: "Burst story 199" in page(vault, "Frugality") and index_is_current(vault),
               "all 200 notes in the index")
    cycles = watcher.cycles()
    assert 1 <= len(cycles) <= 20, cycles  # 200 writes, coalesced
    assert sum(int(line.split()[1]) for line in cycles) >= 200
    assert all(f"Burst story {n}" in page(vault, "Frugality") for n in range(200))


def test_own_writes_cause_no_further_cycle(vault: Path, watching) -> None:
    watcher = watching("--verbose").ready()
    write(vault / "Search.md", story("Customer Obsession", "Search platform v3"))
    watcher.wait_cycle(r"Search\.md.*index notes? written \(")
    index_dir = vault / "LP Index"
    mtimes = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()}
    write(vault / "Journal.md", "# Journal\n\nStill no stories.\n")  # a sentinel that changes no index note
    watcher.wait_cycle(r"1 note re-parsed \(Journal\.md\), 0 index notes written")
    assert {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()} == mtimes
    assert len(watcher.cycles()) == 2, watcher.cycles()
    changed = [line for line in watcher.out if "changed:" in line]
    assert changed and not any("LP Index" in line or ".lpvault" in line for line in changed)


# -- what goes wrong -------------------------------------------------------------------


def test_vanishing_notes_are_never_a_crash(vault: Path, watching) -> None:
    watcher = watching().ready()
    for number in range(50):
        note = write(vault / f"Flash {number}.md", story("Bias for Action", f"Flash {number}"))
        note.unlink()
    write(vault / "Journal.md", "# Journal\n\nAfter the flashes.\n")
    wait_until(lambda: "After" in (vault / "Journal.md").read_text() and index_is_current(vault), "a current index")
    assert watcher.proc.poll() is None
    assert not any("error" in line for line in watcher.err), watcher.err
    assert "Flash" not in page(vault, "Bias for Action")


def test_note_vanishing_between_event_and_read_is_a_finding(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = LiveVault(vault, load_config(vault))
    model.rescan()
    real_stat = os.stat

    def stat_then_vanish(path, *args, **kwargs):
        info = real_stat(path, *args, **kwargs)
        if str(path).endswith("Search.md"):
            os.unlink(path)  # gone after the watcher saw it, before it reads it
        return info

    monkeypatch.setattr("lpvault.live.os.stat", stat_then_vanish)
    update = model.update(["Search.md"])
    assert update.reparsed == ["Search.md"]
    assert update.unreadable and "vanished" in update.unreadable[0][1]
    assert model.analyses["Search.md"].note.problems[0].rule == "unreadable-file"
    monkeypatch.undo()
    assert model.update(["Search.md"]).removed == ["Search.md"]  # and the delete event removes it


def test_undecodable_note_is_a_log_line_and_the_watch_goes_on(vault: Path, watching) -> None:
    watcher = watching().ready()
    (vault / "Broken.md").write_bytes(b"# Broken\n\xff\xfe not UTF-8\n")
    wait_until(lambda: any("Broken.md: not UTF-8" in line for line in watcher.out), "the log line")
    write(vault / "Search.md", story("Customer Obsession", "After the broken note"))
    wait_until(lambda: "After the broken note" in page(vault, "Customer Obsession"), "the next cycle")
    assert watcher.proc.poll() is None


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_error_is_a_log_line(vault: Path, watching) -> None:
    watcher = watching().ready()
    (vault / "Search.md").chmod(0)
    try:
        wait_until(lambda: any("Search.md: cannot read" in line for line in watcher.out), "the log line")
        assert watcher.proc.poll() is None
    finally:
        (vault / "Search.md").chmod(0o644)


def test_vault_folder_disappearing_exits_non_zero(vault: Path, watching, tmp_path: Path) -> None:
    watcher = watching().ready()
    shutil.rmtree(vault)
    assert watcher.stop(signal.SIGCONT) == 1  # SIGCONT: no-op, just wait for the exit
    assert any("is gone" in line for line in watcher.err), watcher.err
    assert not vault.exists()  # nothing recreated it


# -- stopping and the lock ---------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_zero_and_leaves_no_partial_file(vault: Path, watching, sig: int) -> None:
    watcher = watching().ready()
    for number in range(30):  # give it a cycle to be in the middle of
        write(vault / "More" / f"Story {number}.md", story("Earn Trust", f"More story {number}"))
    assert watcher.stop(sig) == 0
    index_dir = vault / "LP Index"
    leftovers = [p.name for p in index_dir.iterdir() if not p.name.endswith(".md") or p.name.startswith(".")]
    assert leftovers == []
    for note in index_dir.iterdir():
        text = note.read_text(encoding="utf-8")
        assert text.startswith("---\n") and "lpvault: generated" in text and text.endswith("\n")
    assert not lock_path(vault).exists()


def test_second_instance_is_refused_by_the_lock(vault: Path, watching) -> None:
    first = watching().ready()
    second = watching()
    assert second.proc.wait(timeout=TIMEOUT) == 1
    wait_until(lambda: second.err, "the refusal message")
    assert f"lpvault watch (pid {first.proc.pid})" in second.err[0]
    index = subprocess.run([*lpvault_command(), "index", str(vault)], capture_output=True, text=True, timeout=TIMEOUT)
    assert index.returncode == 0 and "keeps it up to date" in index.stdout  # the watch already wrote it
    assert first.proc.poll() is None


def test_lock_of_a_killed_watch_is_recovered(vault: Path, watching) -> None:
    watching().ready().kill()  # SIGKILL: no chance to release the lock
    assert lock_path(vault).exists()
    watching().ready()


# -- the pieces, in process ------------------------------------------------------------------


def recorder_for(root: Path, config: Config | None = None) -> ChangeRecorder:
    return ChangeRecorder(root, config or Config(ignore=("Private",), templates_folder="Templates"))


@pytest.mark.parametrize("rel", ["LP Index/Customer Obsession.md", "LP Index/.Customer Obsession.md.x.tmp",
                                 ".lpvault/lock", ".obsidian/workspace.json", ".git/index", ".trash/old.md",
                                 "Private/secret.md", "Templates/STAR.md", "note.md.swp", "note.md~", ".#note.md",
                                 "#note.md#", "4913", "note.md.tmp"])
def test_recorder_ignores_own_hidden_ignored_and_temp_paths(tmp_path: Path, rel: str) -> None:
    recorder = recorder_for(tmp_path)
    recorder.dispatch(FileModifiedEvent(str(tmp_path / rel)))
    recorder.dispatch(FileCreatedEvent(str(tmp_path / rel)))
    assert not recorder.wake.is_set() and not recorder.take()


def test_recorder_ignores_reads_and_folder_modifications(tmp_path: Path) -> None:
    recorder = recorder_for(tmp_path)
    recorder.dispatch(FileOpenedEvent(str(tmp_path / "note.md")))
    recorder.dispatch(FileClosedNoWriteEvent(str(tmp_path / "note.md")))
    recorder.dispatch(DirModifiedEvent(str(tmp_path / "Projects")))
    assert not recorder.wake.is_set()


def test_recorder_records_notes_folders_config_and_the_root(tmp_path: Path) -> None:
    recorder = recorder_for(tmp_path)
    recorder.dispatch(FileMovedEvent(str(tmp_path / ".note.md.tmp"), str(tmp_path / "note.md")))
    recorder.dispatch(FileCreatedEvent(str(tmp_path / "assets" / "diagram.png")))
    assert recorder.wake.is_set()
    changes = recorder.take()
    assert changes.files == {"note.md", "assets/diagram.png"} and not changes.rescan
    assert not recorder.wake.is_set()
    recorder.dispatch(DirMovedEvent(str(tmp_path / "A"), str(tmp_path / "B")))
    recorder.dispatch(FileModifiedEvent(str(tmp_path / "lpvault.toml")))
    recorder.dispatch(DirDeletedEvent(str(tmp_path)))
    changes = recorder.take()
    assert changes.rescan and changes.config and changes.root_gone


def test_temp_names() -> None:
    assert all(is_temp_name(n) for n in (".#a.md", "a.md~", "a.swp", "a.md.tmp", "#a.md#", "~$a.docx", "4913"))
    assert not any(is_temp_name(n) for n in ("a.md", "Temporary thoughts.md", "image.png"))


def test_cycle_line_is_machine_readable() -> None:
    update = Update(reparsed=["Stories/Search.md"], removed=[], changed=True)
    line = CycleReport(update, ["LP Index/Customer Obsession.md", "LP Index/Leadership Principles.md"], [], 12.3).line()
    assert line == ("[watch] 1 note re-parsed (Stories/Search.md), 2 index notes written "
                    "(Customer Obsession, Leadership Principles), 12 ms")
    many = CycleReport(Update(reparsed=[f"n{i}.md" for i in range(5)], removed=["old.md"]), [], [], 7).line()
    assert many == "[watch] 5 notes re-parsed (n0.md, n1.md, n2.md, +2 more), 1 removed (old.md), 0 index notes written, 7 ms"
    started = CycleReport(Update(reparsed=["a.md", "b.md"], changed=True, cached=True, from_cache=1), [], [], 40).line()
    assert started == "[watch] 2 notes read (1 from the parse cache), 0 index notes written, 40 ms"
    cold = CycleReport(Update(reparsed=["a.md", "b.md"], changed=True), [], [], 40, first=True).line()
    assert cold == "[watch] 2 notes read, 0 index notes written, 40 ms"


def run_in_thread(watcher: Watcher) -> threading.Thread:
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    return thread


def test_config_change_reindexes_with_the_new_settings(vault: Path) -> None:
    lines: list[str] = []
    watcher = Watcher(vault, load_config(vault), log=lambda level, message: lines.append(message))
    thread = run_in_thread(watcher)
    try:
        wait_until(lambda: any("[watch] watching" in line for line in lines), "the watcher to start")
        write(vault / "lpvault.toml", '[[principles]]\nname = "Widgetry Excellence"\nsummary = "Widgets."\n')
        wait_until(lambda: page(vault, "Widgetry Excellence"), "the new principle's index note")
        write(vault / "lpvault.toml", "debounce_ms = 'soon'\n")
        wait_until(lambda: any("keeping the previous settings" in line for line in lines), "the config error")
        assert thread.is_alive()
    finally:
        watcher.stop()
        thread.join(timeout=TIMEOUT)
    assert not thread.is_alive() and not lock_path(vault).exists()


def test_debounce_comes_from_config_and_command_line(vault: Path) -> None:
    write(vault / "lpvault.toml", "debounce_ms = 200\n")
    assert Watcher(vault, load_config(vault), log=print).debounce == 0.2
    assert Watcher(vault, load_config(vault, overrides={"debounce_ms": 5}), log=print).debounce == 0.005


def test_quiet_and_verbose_together_is_a_usage_error(vault: Path) -> None:
    result = CliRunner().invoke(main, ["watch", str(vault), "--quiet", "--verbose"])
    assert result.exit_code == 2


def test_stop_during_the_first_parse_writes_nothing(vault: Path) -> None:
    watcher = Watcher(vault, load_config(vault), log=lambda level, message: None)
    watcher.stop()  # as if Ctrl-C came while the first full parse runs
    watcher.run()
    assert not (vault / "LP Index").exists() and not lock_path(vault).exists()


def test_template_error_is_logged_and_the_fix_is_picked_up(vault: Path) -> None:
    write(vault / "lpvault.toml", 'templates_dir = "_templates"\n')
    broken = write(vault / "_templates" / "hub.md.j2", "{% if %}\n")
    errors: list[str] = []
    watcher = Watcher(vault, load_config(vault),
                      log=lambda level, message: errors.append(message) if level == "error" else None)
    thread = run_in_thread(watcher)
    try:
        wait_until(lambda: errors, "the template error")
        assert "hub.md.j2" in errors[0] and not (vault / "LP Index").exists()
        broken.unlink()  # back to the shipped template
        wait_until(lambda: index_is_current(vault), "the index written with the shipped template")
    finally:
        watcher.stop()
        thread.join(timeout=TIMEOUT)


def test_a_kernel_queue_overflow_makes_the_next_cycle_walk_the_vault(tmp_path: Path) -> None:
    import logging

    from lpvault.events import OverflowListener

    recorder = recorder_for(tmp_path)
    listener = OverflowListener(recorder)
    logger = logging.getLogger("watchdog.observers.inotify_c")  # where watchdog reports it
    logging.getLogger(OverflowListener.LOGGER).addHandler(listener)
    try:
        logger.warning("Inotify queue overflowed; filesystem events were lost")
    finally:
        logging.getLogger(OverflowListener.LOGGER).removeHandler(listener)
    assert recorder.wake.is_set() and recorder.take().rescan


def test_recorder_accepts_the_resolved_spelling_of_a_symlinked_vault(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    recorder = recorder_for(tmp_path / "link")
    assert recorder.relative(str(tmp_path / "link" / "a.md")) == "a.md"
    assert recorder.relative(str(real / "a.md")) == "a.md"
    assert recorder.relative(str(tmp_path / "elsewhere.md")) is None
