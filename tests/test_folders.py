"""Empty folders kept from old sites and used again for new ones' pages (generator/site/folders.py).

A site built with folders from the pool is the one built without it, byte for byte; the pool is used;
and nothing planted in it (a link, a folder holding a file, a folder open to everyone) reaches a site
or leads a build to write or delete outside the project.
"""

from __future__ import annotations

import os
import stat

import pytest

from generator.site import folders
from generator.site.build import build
from tests.conftest import tree_bytes
from tests.test_incremental import AS_OF
from tests import test_page_cache

project = test_page_cache.project  # the fixture: the one example clinic with archived versions, in Spanish too


def _pool(project):
    return project.root / folders.POOL


def _modes(site):
    return {p.relative_to(site).as_posix(): stat.S_IMODE(os.lstat(p).st_mode) for p in site.rglob("*") if p.is_dir()}


def test_an_old_sites_folders_are_kept_and_taken_again_for_the_same_bytes(project, monkeypatch):
    monkeypatch.setattr(folders, "ENABLED", False)
    build(project, as_of=AS_OF)
    plain, plain_modes = tree_bytes(project.site_dir), _modes(project.site_dir)
    assert not _pool(project).exists()  # off: nothing kept
    monkeypatch.setattr(folders, "ENABLED", True)
    build(project, as_of=AS_OF)  # switches the plain site out: its folders go to the pool
    kept = len(os.listdir(_pool(project)))
    assert kept >= 10
    taken = []
    original = folders.Pool.make

    def make(self, folder):
        before = self.taken
        original(self, folder)
        taken.append(self.taken > before)

    monkeypatch.setattr(folders.Pool, "make", make)
    build(project, as_of=AS_OF)
    assert sum(taken) >= 10, "the pool's folders were not used"
    assert tree_bytes(project.site_dir) == plain
    assert _modes(project.site_dir) == plain_modes


def test_whatever_is_planted_in_the_pool_never_reaches_a_site(project, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    pool = _pool(project)
    pool.mkdir(parents=True)
    for n in range(40):  # ahead of any folder an old site leaves, whichever end a worker takes from
        kind = n % 4
        path = pool / f"{n:03d}"
        if kind == 0:
            path.symlink_to(victim, target_is_directory=True)
        elif kind == 1:
            path.mkdir()
            (path / "planted.html").write_text("<p>planted</p>", encoding="utf-8")
        elif kind == 2:
            path.mkdir()
            os.chmod(path, 0o777)
        else:
            path.write_text("a file, not a folder", encoding="utf-8")
    build(project, as_of=AS_OF)
    site = project.site_dir
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert not [p for p in site.rglob("planted.html")]
    assert all(mode & 0o022 == 0 or mode == stat.S_IMODE(os.stat(site).st_mode) for mode in _modes(site).values())
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]


def test_an_old_site_with_a_link_in_it_is_removed_without_following_it(project, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    build(project, as_of=AS_OF)
    (project.site_dir / test_page_cache.SLUG / "privacy" / "outside").symlink_to(victim, target_is_directory=True)
    build(project, as_of=AS_OF, incremental=False)  # the old site, link and all, is switched out and emptied
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]
    assert not any(p.is_symlink() for p in _pool(project).iterdir())


def test_the_pool_keeps_no_more_than_its_limit(project, monkeypatch):
    monkeypatch.setattr(folders, "LIMIT", 5)
    build(project, as_of=AS_OF)
    build(project, as_of=AS_OF, incremental=False)
    build(project, as_of=AS_OF, incremental=False)
    assert 0 < len(os.listdir(_pool(project))) <= 5


@pytest.mark.parametrize("planted", ["link", "file"])
def test_a_pool_that_is_not_a_folder_is_not_used(project, tmp_path, planted):
    victim = tmp_path / "victim"
    victim.mkdir()
    pool = _pool(project)
    pool.parent.mkdir(parents=True)
    if planted == "link":
        pool.symlink_to(victim, target_is_directory=True)
    else:
        pool.write_text("not a folder", encoding="utf-8")
    build(project, as_of=AS_OF)
    build(project, as_of=AS_OF, incremental=False)
    assert list(victim.iterdir()) == []
    assert (project.site_dir / test_page_cache.SLUG / "privacy" / "index.html").is_file()


def _claim(args):
    pool, base, i = args
    scratch = base.parent / f"taken-{i}"
    scratch.mkdir()
    taker = folders.Pool(pool, scratch)
    for k in range(40):
        taker.make_all([base / f"w{i}-{k}" / "docs"])
    return taker.taken


def test_two_workers_taking_from_one_pool_each_get_their_folders(tmp_path):
    """Workers race for the same names (each takes from one end); every folder asked for is made once.
    Their shared parent is made before they start, as a run's staging folder makes sites/ (swap.py):
    a folder two processes might both make is never taken from the pool."""
    import multiprocessing

    pool = tmp_path / "pool"
    pool.mkdir()
    for n in range(120):
        (pool / f"{n:03d}").mkdir()
    base = tmp_path / "sites"
    base.mkdir()
    with multiprocessing.get_context("fork").Pool(2) as workers:
        taken = workers.map(_claim, [(pool, base, 0), (pool, base, 1)])
    assert sum(taken) >= 100
    assert sorted(os.listdir(base)) == sorted(f"w{i}-{k}" for i in (0, 1) for k in range(40))
    assert all((base / name / "docs").is_dir() for name in os.listdir(base))


def test_a_runs_staging_folder_makes_the_folder_its_sites_share(project):
    from generator.site import swap

    staging = swap.Staging(project)
    try:
        assert staging.work("a").parent.is_dir()  # workers then make only folders of their own
    finally:
        staging.discard()


def test_a_planted_folder_that_cannot_be_emptied_never_becomes_a_pages_folder(project, monkeypatch):
    """A folder holding a read-only folder cannot be emptied by a user that is not root: whatever the
    pool gives that is not fit stays in the run's scratch folder, and is never removed (or kept) where
    a page's folder goes. Removal failing is simulated here, since root can empty any folder."""
    import types

    monkeypatch.setattr(folders, "shutil", types.SimpleNamespace(rmtree=lambda *a, **k: None))
    pool = _pool(project)
    pool.mkdir(parents=True)
    for n in range(40):
        (pool / f"{n:03d}" / "planted").mkdir(parents=True)
        (pool / f"{n:03d}" / "planted" / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    build(project, as_of=AS_OF)
    assert not list(project.site_dir.rglob("evil.html"))
    assert (project.site_dir / test_page_cache.SLUG / "privacy" / "index.html").is_file()


def test_in_a_setgid_project_a_folder_taken_is_as_a_new_one(project, monkeypatch):
    """A folder made in a setgid folder is setgid too: one taken from the pool must be as well."""
    os.chmod(project.root, os.stat(project.root).st_mode | stat.S_ISGID)
    monkeypatch.setattr(folders, "ENABLED", False)
    build(project, as_of=AS_OF)
    plain = _modes(project.site_dir)
    assert all(mode & stat.S_ISGID for mode in plain.values())
    monkeypatch.setattr(folders, "ENABLED", True)
    build(project, as_of=AS_OF, incremental=False)
    build(project, as_of=AS_OF, incremental=False)  # this one's folders come from the pool
    assert _modes(project.site_dir) == plain
