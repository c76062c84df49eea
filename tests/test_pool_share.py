"""The parent process takes its share of a parallel parse: chunks from the end, none twice."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import generate
from lpvault import pool
from lpvault.config import load_config
from lpvault.pipeline import Analyzer, analyse_files, make_catalog
from lpvault.scan import scan_vault


pytestmark = pytest.mark.usefixtures("private_cache_key")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "vault"
    generate(root, notes=360, seed=11)
    return root


def test_the_parent_parses_chunks_from_the_end_and_each_note_once(generated: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(generated)
    notes = scan_vault(generated, config).notes
    analyzer = Analyzer(config, make_catalog(config))
    monkeypatch.setattr(pool, "CHUNK_NOTES", 10)
    here: list[str] = []
    serial = pool._analyse_serial

    def counted(root, work, *args):  # type: ignore[no-untyped-def]
        here.extend(note.path for note, _ in work)
        return serial(root, work, *args)

    monkeypatch.setattr(pool, "_analyse_serial", counted)
    seen: list[int] = []
    parallel = analyse_files(generated, notes, analyzer, seen.append, jobs=2)
    assert here and len(here) == len(set(here)) < len(notes)  # a share, not everything
    assert here[0] in {n.path for n in notes[-10:]}  # the parent starts at the end
    assert seen[-1] == len(notes) and seen == sorted(seen)
    monkeypatch.setattr(pool, "_analyse_serial", serial)
    assert parallel == analyse_files(generated, notes, analyzer, jobs=1)
