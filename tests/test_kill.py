"""A build killed anywhere (SIGKILL, as a CI runner or the OOM killer does it) leaves site/ entirely the
old output or, once the next run has finished the switch, entirely the new; never a mix, never
leftovers in the folder that is deployed; and the next build equals a clean one."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.site import swap
from generator.data.load import Project
from tests.conftest import MINIMAL, tree_bytes
from tests.test_incremental import AS_OF, built, fresh_build

# Where the switch can be cut: every step of generator/site/swap.py, with the sites it moves one by one.
SWAP_POINTS = ["before-journal:1", "journal-written:1", "site-moved-out:1", "site-moved-in:1", "site-moved-out:2",
               "site-moved-in:2", "site-moved-in:3", "site-removed:1", "manifest-installed:1", "journal-removed:1"]
RANDOM_KILLS = 12


def _clinic(name: str) -> str:
    return MINIMAL.replace("Test Clinic", name)


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """(a project built once, then edited: three sites to rebuild, one new, one to remove; the site/ it
    has; the site/ a clean build of its inputs gives)."""
    from tests.conftest import REPO

    base = tmp_path_factory.mktemp("kill")
    root = base / "project"
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for slug in ("a", "b", "c", "gone"):
        (root / "clinics" / slug).mkdir(parents=True)
        (root / "clinics" / slug / "clinic.yaml").write_text(_clinic(f"Clinic {slug.upper()}"))
    project = Project(root)
    built(project)
    for slug in ("a", "b", "c"):
        path = project.clinic_dir(slug) / "clinic.yaml"
        path.write_text(path.read_text() + "legal_name: Changed LLC\n")
    shutil.rmtree(project.clinic_dir("gone"))
    (root / "clinics" / "new").mkdir()
    (root / "clinics" / "new" / "clinic.yaml").write_text(_clinic("New Clinic"))
    old = tree_bytes(project.site_dir)
    new = fresh_build(project, base, "clean")
    assert old != new
    return root, old, new


def _trial(states, tmp_path: Path, crash_at: str | None = None, after: float | None = None) -> tuple[Path, bool]:
    """Copy the edited project, run `notices build` and kill it; returns (the copy, whether it was killed)."""
    root, _, _ = states
    copy = tmp_path / "trial"
    shutil.copytree(root, copy, symlinks=True)
    env = {**os.environ, "NOTICES_CRASH_AT": crash_at or ""}
    cmd = [sys.executable, "-m", "generator.cli", "build", "--no-pdf", "--as-of", str(AS_OF), "-j", "2",
           "--root", str(copy)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    if after is not None:
        time.sleep(after)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and its workers, as a runner stops a job
        except ProcessLookupError:
            pass
    out, _ = proc.communicate(timeout=120)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # workers left by a kill of the main process only
    except ProcessLookupError:
        pass
    killed = proc.returncode == -signal.SIGKILL
    assert killed or proc.returncode == 0, out.decode()
    return copy, killed


def _check(states, copy: Path) -> str:
    _, old, new = states
    project = Project(copy)
    leftovers = [p.name for p in project.site_dir.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"left in the deployed folder: {leftovers}"
    with swap.locked(project):
        swap.recover(project)
    now = tree_bytes(project.site_dir)
    assert now in (old, new), "site/ is a mix of two builds"
    assert not (copy / swap.STAGING).exists() or not any((copy / swap.STAGING).iterdir())
    built(project)
    assert tree_bytes(project.site_dir) == new, "the next build differs from a clean one"
    return "old" if now == old else "new"


@pytest.mark.parametrize("point", SWAP_POINTS)
def test_killed_during_the_switch(states, tmp_path, point):
    copy, killed = _trial(states, tmp_path, crash_at=point)
    assert killed, f"the build never reached {point}"
    seen = _check(states, copy)
    assert seen == ("old" if point == "before-journal:1" else "new")


@pytest.fixture(scope="module")
def duration(states, tmp_path_factory):
    start = time.monotonic()
    _trial(states, tmp_path_factory.mktemp("timing"))
    return time.monotonic() - start


@pytest.mark.parametrize("seed", range(RANDOM_KILLS))
def test_killed_at_a_random_moment(states, tmp_path, duration, seed):
    after = random.Random(seed).uniform(0.05, duration * 1.05)
    copy, _ = _trial(states, tmp_path, after=after)
    _check(states, copy)
