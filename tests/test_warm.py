"""generator/site/warm.py: an incremental build of many clinics forks a worker before the plan, which
imports the pipeline while the inputs are checked and builds the clinic when one is to be built. The
site is the same as any build writes; a worker that dies leaves the build to this process; an error
in it is this build's error; a worker with nothing to do is sent away and reaped."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest

from generator.errors import NoticesError
from generator.site import build as build_mod
from generator.site import parallel, warm
from generator.site.build import build

from .conftest import MINIMAL, tree_bytes

AS_OF = date(2026, 6, 1)
CLINICS = {f"clinics/c{i}/clinic.yaml": MINIMAL.replace("Test Clinic", f"Clinic {i}") for i in range(3)}


@pytest.fixture
def project(make_project, monkeypatch):
    monkeypatch.setattr(build_mod, "WARM_FROM", 1)  # as a project of hundreds of clinics
    made = make_project(CLINICS)
    build(made, as_of=AS_OF, incremental=True, workers=2)
    return made


def _watch(monkeypatch) -> tuple[list[bool], list[int]]:
    """Whether each warm run gave a result; the worker processes reaped."""
    used, reaped = [], []
    run, close = warm.Warm.run, warm.Warm.close

    def counting_run(self, *args, **kwargs):
        result = run(self, *args, **kwargs)
        used.append(result is not None)
        return result

    def counting_close(self):
        pid = self._pid
        close(self)
        if pid is not None:
            reaped.append(pid)

    monkeypatch.setattr(warm.Warm, "run", counting_run)
    monkeypatch.setattr(warm.Warm, "close", counting_close)
    return used, reaped


def _edit(project, slug: str, phone: str) -> None:
    path = project.root / "clinics" / slug / "clinic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("(719) 555-0100", phone), encoding="utf-8")


def test_one_clinic_edited_is_built_by_the_worker_as_this_process_builds_it(project, monkeypatch, tmp_path):
    used, reaped = _watch(monkeypatch)
    _edit(project, "c1", "(719) 555-0199")
    built = build(project, as_of=AS_OF, incremental=True, workers=2)
    assert [b.slug for b in built] == ["c1"] and used == [True] and len(reaped) == 1
    assert not os.path.exists(f"/proc/{reaped[0]}")
    assert b"555-0199" in (project.site_dir / "c1" / "index.html").read_bytes()
    other = tmp_path / "other"
    shutil.copytree(project.root, other, ignore=shutil.ignore_patterns("site", ".cache"))
    build(type(project)(other), ["c1"], as_of=AS_OF, workers=1)  # no worker: built in this process
    assert tree_bytes(project.site_dir / "c1") == tree_bytes(other / "site" / "c1")


def test_a_worker_that_dies_leaves_the_clinic_to_this_process(project, monkeypatch):
    used, _ = _watch(monkeypatch)
    monkeypatch.setattr(warm, "_serve", lambda *args: None)  # the worker leaves at once
    _edit(project, "c2", "(719) 555-0177")
    built = build(project, as_of=AS_OF, incremental=True, workers=2)
    assert [b.slug for b in built] == ["c2"] and used == [False]
    assert b"555-0177" in (project.site_dir / "c2" / "index.html").read_bytes()


_BUILD_ONE = build_mod._build_one


def _dies_midway(task):
    if parallel.in_worker():  # the warm worker: stages a little, then dies
        (task.work / "src" / "docs").mkdir(parents=True)
        (task.work / "site").mkdir()
        (task.work / "site" / "stray.html").write_text("from a worker that died")
        os._exit(3)
    return _BUILD_ONE(task)


def test_what_a_worker_staged_before_it_died_is_set_aside(project, monkeypatch):
    used, _ = _watch(monkeypatch)
    monkeypatch.setattr(build_mod, "_build_one", _dies_midway)
    _edit(project, "c1", "(719) 555-0188")
    built = build(project, as_of=AS_OF, incremental=True, workers=2)
    assert [b.slug for b in built] == ["c1"] and used == [False]
    assert not (project.site_dir / "c1" / "stray.html").exists()
    assert b"555-0188" in (project.site_dir / "c1" / "index.html").read_bytes()


def test_an_error_in_the_worker_is_this_builds_error_and_nothing_is_published(project, monkeypatch):
    used, reaped = _watch(monkeypatch)
    before = tree_bytes(project.site_dir)
    monkeypatch.setattr(build_mod, "_build_one", _broken)  # the worker, forked after this, has it too
    _edit(project, "c0", "(719) 555-0166")
    with pytest.raises(NoticesError, match="a template could not be rendered"):
        build(project, as_of=AS_OF, incremental=True, workers=2)
    assert used == [] and len(reaped) == 1  # raised from its run, and reaped
    assert tree_bytes(project.site_dir) == before


def _broken(task):
    raise NoticesError("a template could not be rendered")


@pytest.mark.parametrize("edited", [[], ["c0", "c1"]])
def test_a_worker_with_nothing_to_build_is_sent_away(project, monkeypatch, edited):
    used, reaped = _watch(monkeypatch)
    for slug in edited:
        _edit(project, slug, "(719) 555-0155")
    built = build(project, as_of=AS_OF, incremental=True, workers=2)
    assert sorted(b.slug for b in built) == edited and used == [] and len(reaped) == 1
    assert not os.path.exists(f"/proc/{reaped[0]}")


def test_no_worker_for_a_full_build_a_dry_run_or_one_process(project, monkeypatch):
    started = []
    start = warm.Warm.start

    def counting(self):
        start(self)
        started.append(self._pid is not None)

    monkeypatch.setattr(warm.Warm, "start", counting)
    build(project, as_of=AS_OF, workers=2)
    build(project, as_of=AS_OF, incremental=True, workers=2, dry_run=True)
    build(project, as_of=AS_OF, incremental=True, workers=1)
    assert started == [False, False, False]
