"""Analyse many notes: reuse what the parse cache holds, parse the rest here or on every core.

A note whose cache entry has its stamp is taken from the cache unread; any other
note is read, and parsed unless its bytes digest to those of its cache entry.
Large batches go to a process pool over chunks of notes, and the parent is one of
the `jobs` processes: it analyses chunks from the end while the workers take them
from the front (its share is never pickled, and two cores run two processes, not
three). Each worker builds its own Analyzer from the Config once (in the initializer),
reads its notes itself and sends back, per note, the digest of its bytes and
its Analysis pickled, never a live object: the parent unpickles what it keeps
and hands the same bytes to the parse cache. Results are merged by path, so the
vault does not depend on which process finished first. Below PARALLEL_THRESHOLD
notes, or on one core, starting workers costs more than it saves.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from lpvault.cache import collector_paused
from lpvault.config import Config
from lpvault.scan import NoteFile

if TYPE_CHECKING:
    from lpvault.cache import ParseCache
    from lpvault.model import Analysis
    from lpvault.pipeline import Analyzer

PARALLEL_THRESHOLD = 300  # notes; fewer are parsed in-process
CHUNK_BYTES = 256 * 1024  # a chunk is about this much Markdown, or CHUNK_NOTES notes
CHUNK_NOTES = 100
MAX_JOBS = 8

Work = tuple[NoteFile, "bytes | None"]  # a note, and the digest of the bytes its cached Analysis came from
Done = tuple[str, "bytes | None", "bytes | None"]  # path, digest now, pickled Analysis (None: bytes as cached)

_WORKER: tuple[Path, Analyzer] | None = None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_jobs(count: int) -> int:
    """How many processes to parse `count` notes with: 1 for a small vault or one core."""
    available = cores()
    return 1 if count < PARALLEL_THRESHOLD or available < 2 else min(available, MAX_JOBS)


def analyse_one(root: Path, note: NoteFile, analyzer: Analyzer,
                expected: bytes | None) -> tuple[bytes | None, Analysis | None]:
    """(digest, Analysis) of one note; the Analysis is None when its bytes digest to `expected`."""
    from lpvault.cache import digest
    from lpvault.pipeline import read_bytes

    data, problem = read_bytes(root, note, analyzer.config)
    note_digest = digest(data) if data is not None else None
    if expected is not None and note_digest == expected:
        return note_digest, None
    return note_digest, analyzer.analyse(note.path, data, problem)


def chunks(work: list[Work]) -> Iterator[list[Work]]:
    """Consecutive slices of about CHUNK_BYTES of Markdown (at most CHUNK_NOTES notes)."""
    chunk: list[Work] = []
    size = 0
    for item in work:
        chunk.append(item)
        size += max(item[0].size, 0)
        if size >= CHUNK_BYTES or len(chunk) >= CHUNK_NOTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def analyse_parallel(root: Path, config: Config, work: list[Work], jobs: int,
                     on_done: Callable[[list[Done]], None],
                     here: Callable[[list[Work]], None] | None = None) -> None:
    """Analyse `work` in `jobs` processes; `on_done` gets each worker chunk's results as
    they come. With `here`, this process is one of the `jobs`: it takes chunks from the
    end while `jobs - 1` workers take them from the front, and hands each to `here`,
    so its share is never pickled, and no third process competes for two cores."""
    context = multiprocessing.get_context(_start_method())
    workers = jobs - 1 if here is not None else jobs
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(root), config)) as pool:
        futures = {pool.submit(_analyse_chunk, chunk): chunk for chunk in chunks(work)}
        delivered: set[Future[list[Done]]] = set()

        def deliver(ready: Iterable[Future[list[Done]]]) -> None:
            for future in ready:
                if future not in delivered and not future.cancelled():
                    delivered.add(future)
                    on_done(future.result())

        try:
            if here is not None:
                for future in reversed(list(futures)):
                    if future.cancel():  # no worker has taken it yet
                        here(futures[future])
                    deliver([f for f in futures if f.done()])
            deliver(as_completed([f for f in futures if not f.cancelled()]))
        except BaseException:  # stopping (the watcher's Ctrl-C) or failing: drop what has not started
            for future in futures:
                future.cancel()
            raise


def _start_method() -> str:
    """The platform's default, but never fork a process that runs threads (the watcher)."""
    method = multiprocessing.get_start_method()
    return "spawn" if method == "fork" and threading.active_count() > 1 else method


def _start_worker(root: str, config: Config) -> None:
    from lpvault.pipeline import Analyzer, make_catalog

    global _WORKER
    _WORKER = (Path(root), Analyzer(config, make_catalog(config)))


def _analyse_chunk(chunk: list[Work]) -> list[Done]:
    assert _WORKER is not None, "worker not initialised"
    root, analyzer = _WORKER
    done: list[Done] = []
    for note, expected in chunk:
        note_digest, analysis = analyse_one(root, note, analyzer, expected)
        blob = None if analysis is None else pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL)
        done.append((note.path, note_digest, blob))
    return done


def analyse_many(root: Path, files: list[NoteFile], analyzer: Analyzer, progress: Callable[[int], None] | None,
                 *, cache: ParseCache | None, jobs: int | None) -> dict[str, Analysis]:
    """`pipeline.analyse_files`: cached notes reused, the rest parsed here or in a pool."""
    results: dict[str, Analysis] = {}
    with collector_paused():
        work = _reuse_cached(files, cache, results)
        done = _Progress(progress, len(results))
        jobs = default_jobs(len(work)) if jobs is None else max(1, jobs)
        if jobs > 1 and len(work) > 1:
            _analyse_pool(root, analyzer, work, jobs, cache, results, done)
        else:
            _analyse_serial(root, work, analyzer, cache, results, done)
    return {note.path: results[note.path] for note in files}


class _Progress:
    """Counts finished notes for a `progress(done)` callback."""

    def __init__(self, callback: Callable[[int], None] | None, start: int) -> None:
        self.callback, self.count = callback, start

    def add(self, count: int = 1) -> None:
        """`count` more notes are done."""
        self.count += count
        if self.callback is not None:
            self.callback(self.count)


def _reuse_cached(files: list[NoteFile], cache: ParseCache | None,
                  results: dict[str, Analysis]) -> list[Work]:
    """Fill `results` from trusted, matching cache entries; the rest is work, each note
    with the digest of the bytes its cached entry was made from (None: no entry)."""
    work: list[Work] = []
    for note in files:
        entry = cache.lookup(note) if cache is not None else None
        if entry is not None and entry.trusted and entry.size == note.size and entry.mtime_ns == note.mtime_ns:
            analysis = _unpickle(entry.blob)
            if analysis is not None:
                results[note.path] = analysis
                cache.keep(note, entry.digest, entry.blob)  # type: ignore[union-attr]
                continue
        work.append((note, entry.digest if entry is not None else None))
    return work


def _unpickle(blob: bytes) -> Analysis | None:
    """A cached Analysis; None when the blob does not load (then the note is parsed again)."""
    from lpvault.model import Analysis

    try:
        found = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - a signed file of ours that does not load is a miss
        return None
    return found if isinstance(found, Analysis) else None


def _take_cached(note: NoteFile, note_digest: bytes | None, cache: ParseCache | None,
                 results: dict[str, Analysis]) -> bool:
    """Use the cached Analysis of a note whose bytes are unchanged; False if it does not load."""
    entry = cache.lookup(note) if cache is not None else None
    analysis = _unpickle(entry.blob) if entry is not None else None
    if analysis is None:
        return False
    results[note.path] = analysis
    cache.keep(note, note_digest, entry.blob)  # type: ignore[union-attr]
    return True


def _take_new(note: NoteFile, note_digest: bytes | None, analysis: Analysis, blob: bytes | None,
              cache: ParseCache | None, results: dict[str, Analysis]) -> None:
    """Record a fresh Analysis (and, for the cache, its pickled bytes)."""
    results[note.path] = analysis
    if cache is not None:
        cache.keep(note, note_digest, blob if blob is not None else pickle.dumps(analysis, pickle.HIGHEST_PROTOCOL))


def _analyse_serial(root: Path, work: list[Work], analyzer: Analyzer,
                    cache: ParseCache | None, results: dict[str, Analysis], done: _Progress) -> None:
    for note, expected in work:
        note_digest, analysis = analyse_one(root, note, analyzer, expected)
        if analysis is None and not _take_cached(note, note_digest, cache, results):
            note_digest, analysis = analyse_one(root, note, analyzer, None)
        if analysis is not None:
            _take_new(note, note_digest, analysis, None, cache, results)
        done.add()


def _analyse_pool(root: Path, analyzer: Analyzer, work: list[Work], jobs: int,
                  cache: ParseCache | None, results: dict[str, Analysis], done: _Progress) -> None:
    notes = {note.path: note for note, _ in work}
    missed: list[Work] = []

    def merge(chunk: list[Done]) -> None:
        for path, note_digest, blob in chunk:
            if blob is not None:
                _take_new(notes[path], note_digest, pickle.loads(blob), blob, cache, results)
            elif not _take_cached(notes[path], note_digest, cache, results):
                missed.append((notes[path], None))
        done.add(len(chunk))

    def here(chunk: list[Work]) -> None:
        _analyse_serial(root, chunk, analyzer, cache, results, done)

    analyse_parallel(root, analyzer.config, work, jobs, merge, here)
    if missed:  # a cache entry that did not load after all: parse those notes here
        _analyse_serial(root, missed, analyzer, cache, results, _Progress(None, 0))
