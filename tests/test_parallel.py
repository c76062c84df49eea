"""Parsing on several cores gives byte-identical results, whatever order the workers finish in."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from lpvault import pool
from lpvault.config import load_config
from lpvault.pipeline import Analyzer, analyse_files, load_vault, make_catalog, run_index
from lpvault.scan import NoteFile, scan_vault

NOTES = 400  # above the pool's threshold


pytestmark = pytest.mark.usefixtures("private_cache_key")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "vault"
    generate(root, notes=NOTES, seed=7)
    return root


def _index(source: Path, target: Path, **options: object) -> dict[str, bytes]:
    shutil.copytree(source, target)
    run_index(target, load_config(target), **options)  # type: ignore[arg-type]
    return {p.name: p.read_bytes() for p in sorted((target / "LP Index").glob("*.md"))}


def test_parallel_index_is_byte_identical_to_serial(generated: Path, tmp_path: Path) -> None:
    serial = _index(generated, tmp_path / "serial", jobs=1, use_cache=False)
    parallel = _index(generated, tmp_path / "parallel", jobs=2, use_cache=False)
    assert len(serial) == 17 and parallel == serial


def test_parallel_cold_cache_serves_a_serial_warm_run(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "vault"
    shutil.copytree(generated, root)
    config = load_config(root)
    cold = load_vault(root, config, jobs=2)
    warm = load_vault(root, config, jobs=1)
    assert warm.notes == cold.notes and warm.stories == cold.stories
    assert load_vault(root, config, use_cache=False, jobs=1).stories == cold.stories


def test_results_follow_the_given_order_not_completion(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(generated)
    notes = list(scan_vault(generated, config).notes)
    random.Random(3).shuffle(notes)
    monkeypatch.setattr(pool, "CHUNK_NOTES", 7)  # many small chunks finishing out of order
    analyzer = Analyzer(config, make_catalog(config))
    parallel = analyse_files(generated, notes, analyzer, jobs=2)
    assert list(parallel) == [n.path for n in notes]
    assert parallel == analyse_files(generated, notes, analyzer, jobs=1)


def test_progress_counts_every_note(generated: Path) -> None:
    config = load_config(generated)
    notes = scan_vault(generated, config).notes
    seen: list[int] = []
    analyse_files(generated, notes, Analyzer(config, make_catalog(config)), seen.append, jobs=2)
    assert seen[-1] == len(notes) and seen == sorted(seen)


@pytest.mark.parametrize(("count", "cores", "jobs"), [(10, 8, 1), (299, 2, 1), (300, 2, 2), (5000, 1, 1), (5000, 32, 8)])
def test_default_jobs(count: int, cores: int, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "cores", lambda: cores)
    assert pool.default_jobs(count) == jobs


def test_chunks_keep_order_and_bound_their_size() -> None:
    work = [(NoteFile(f"n{i:03}.md", size, 0), None) for i, size in enumerate([10] * 150 + [400_000, 5, 300_000])]
    chunks = list(pool.chunks(work))  # type: ignore[arg-type]
    assert [item for chunk in chunks for item in chunk] == work
    assert all(len(c) <= pool.CHUNK_NOTES for c in chunks)
    assert all(sum(n.size for n, _ in c[:-1]) < pool.CHUNK_BYTES for c in chunks)


def test_a_stop_requested_through_progress_ends_the_pool_early(generated: Path) -> None:
    """The watcher stops a long first cycle by raising from its progress callback."""
    config = load_config(generated)
    notes = scan_vault(generated, config).notes
    seen: list[int] = []

    def stop(done: int) -> None:
        seen.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analyse_files(generated, notes, Analyzer(config, make_catalog(config)), stop, jobs=2)
    assert len(seen) == 1 and seen[0] < len(notes)
