"""Switching `site/` from one build's output to the next, all or nothing, even when the build is killed.

A run builds every site into `.cache/staging/<run>/` (never inside `site/`, the folder that is
deployed). When all are built, it writes the new manifest and then a journal into that folder, and
only then renames the new sites in, the old ones out, and the manifest into place. The journal is the
decision: a run killed before it is written leaves `site/` as it was, and its staging folder is
removed by the next run; a run killed after it is written is finished by the next run, before that
run does anything else, by doing the renames that were left (each step can be done again safely).
So `site/` is, whenever a build starts or ends, entirely the output of one run.

A lock (`.cache/build.lock`) keeps two builds of one project from running at once: the second is
refused, and never clears the first one's staging folder.

`.cache/` may come from a shared CI cache, so a journal is trusted for nothing it could harm: it names
sites by valid clinic names only, every rename stays inside `site/` and its own staging folder, and a
journal that is not one this module writes is set aside (its folder removed, `site/` untouched).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import NoticesError
from ..project import SLUG, Project
from . import faults
from . import folders as folders_mod
from . import trash
from .manifest import PATH as MANIFEST_PATH
from .manifest import write_file

STAGING = ".cache/staging"
LOCK = ".cache/build.lock"
# Left in site/ by builds before staging moved to .cache/: removed on sight, they are never content.
_OLD_LEFTOVERS = (".staging-", ".old-", ".build-")


def _staging_base(project: Project) -> Path:
    base = project.root / STAGING
    for folder in (project.root / ".cache", base):
        if folder.is_symlink():
            raise NoticesError(f"{project.rel(folder)} is a symbolic link: builds stage sites there and rename "
                               "them into site/, so it must be a folder of the project (remove the link)")
    return base


@contextmanager
def locked(project: Project) -> Iterator[None]:
    """Hold the project's build lock, or refuse at once if another build holds it."""
    _staging_base(project)  # .cache/ a link: refused before anything is written through it
    path = project.root / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise NoticesError(f"{project.rel(path)} is a symbolic link: builds take their lock there and never "
                           "follow a link out of the project (remove the link)") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NoticesError("another `notices build` of this project is running; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


class Staging:
    """One run's staging folder: built sites, restamped versions.json files, then the journal."""

    def __init__(self, project: Project, tidy_later: bool = False) -> None:
        self.project = project
        self.tidy_later = tidy_later  # the old sites emptied after this process has returned (trash.py)
        base = _staging_base(project)
        base.mkdir(parents=True, exist_ok=True)
        self.dir = base / f"run-{os.getpid()}-{time.time_ns()}"
        self.dir.mkdir()
        (self.dir / "sites").mkdir()  # made here, so that no two workers make a folder they share
        (self.dir / folders_mod.SCRATCH).mkdir()  # where folders taken from the pool are looked at
        site_dir = project.site_dir if project.site_dir.exists() else project.root  # made when switched in
        if os.stat(self.dir).st_dev != os.stat(site_dir).st_dev:
            self.discard()
            raise NoticesError(f"site/ and {STAGING}/ are on different file systems, so sites cannot be switched "
                               "in at once: keep both in the project folder")

    def work(self, slug: str) -> Path:
        """Where a site is staged (stage_site builds into <work>/site)."""
        return self.dir / "sites" / slug

    def restamp(self, slug: str, data: bytes) -> Path:
        path = self.dir / "restamp" / slug / "versions.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def commit(self, sites: list[str], restamp: list[str], remove: list[str], manifest: bytes) -> None:
        """Switch site/ to this run's output, and the manifest with it."""
        shutil.rmtree(self.dir / folders_mod.SCRATCH, ignore_errors=True)  # unfit folders from the pool
        write_file(self.dir / "manifest.json", manifest)
        faults.point("before-journal")
        journal = {"format": 1, "sites": sites, "restamp": restamp, "remove": remove}
        write_file(self.dir / "journal.json", json.dumps(journal, sort_keys=True).encode())
        faults.point("journal-written")
        _apply(self.project, self.dir, journal, self.tidy_later)
        if self.tidy_later:
            trash.empty_later(self.project.root)
        elif trash.holds_any(self.project.root):  # left by a cleaner that was killed
            trash.empty(self.project.root)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _journal(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != 1:
        return None
    lists = [data.get(k) for k in ("sites", "restamp", "remove")]
    if not all(isinstance(v, list) and all(isinstance(s, str) and SLUG.match(s) for s in v) for v in lists):
        return None
    return data


def _rename(src: Path, dest: Path) -> None:
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise NoticesError(f"cannot move {src} to {dest}: they are on different file systems") from exc
        raise


def _apply(project: Project, run: Path, journal: dict, later: bool = False) -> None:
    """Do what the journal says is left to do, then remove the run's folder. Safe to do again after a
    kill at any point: each step checks whether it was done."""
    site_dir = project.site_dir
    site_dir.mkdir(parents=True, exist_ok=True)
    for slug in journal["sites"]:
        staged, dest, old = run / "sites" / slug / "site", site_dir / slug, run / "old" / slug
        if not staged.is_dir():
            continue  # moved in already
        if dest.exists() or dest.is_symlink():
            old.parent.mkdir(parents=True, exist_ok=True)
            if old.exists():
                shutil.rmtree(old)
            _rename(dest, old)
            faults.point("site-moved-out")
        _rename(staged, dest)
        faults.point("site-moved-in")
    for slug in journal["restamp"]:
        staged, dest = run / "restamp" / slug / "versions.json", site_dir / slug / "versions.json"
        if staged.is_file() and dest.parent.is_dir() and not dest.parent.is_symlink():
            os.replace(staged, dest)
            faults.point("restamped")
    for slug in journal["remove"]:
        dest = site_dir / slug
        if dest.exists() or dest.is_symlink():
            gone = run / "removed" / slug
            gone.parent.mkdir(parents=True, exist_ok=True)
            _rename(dest, gone)
            faults.point("site-removed")
    manifest = run / "manifest.json"
    if manifest.is_file():
        os.replace(manifest, project.root / MANIFEST_PATH)
        faults.point("manifest-installed")
    (run / "journal.json").unlink(missing_ok=True)
    faults.point("journal-removed")
    if later:
        trash.put(project.root, run, ("old", "removed"))
    _remove(run, project.root / folders_mod.POOL)


def _remove(run: Path, pool: Path) -> None:
    """The run's folder, with the old sites in it. Their folders, emptied, are kept in `pool` for the
    pages of later builds (folders.recycle_all). Follows no link."""
    old = []
    for name in ("old", "removed"):
        try:
            with os.scandir(run / name) as entries:
                old += [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
        except OSError:
            pass
    folders_mod.recycle_all(pool, old)
    shutil.rmtree(run, ignore_errors=True)


def _as_written(run: Path) -> bool:
    """Whether a run's folder holds only what a build writes there: real folders and regular files, no
    link anywhere (a link would move a site, or delete, where it points) and nothing else."""
    if any(os.path.islink(run / name) for name in ("journal.json", "manifest.json", "sites", "old", "removed",
                                                   "restamp")):
        return False
    try:
        for folder, dirs, files in os.walk(run):  # never follows a link: each is seen, and refused, here
            if folder == str(run):  # what the pool gave and was not fit: never renamed, only removed
                dirs[:] = [d for d in dirs if d != folders_mod.SCRATCH]
            for name in dirs + files:
                mode = os.lstat(os.path.join(folder, name)).st_mode
                if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                    return False
    except OSError:
        return False
    return True


def recover(project: Project, replay: bool = True) -> list[str]:
    """Finish or clear what interrupted builds left; returns a note for each. Hold the lock. A run whose
    folder holds anything a build does not write there, or every run if not `replay` (a build --fresh),
    is removed without being finished: site/ is left as it is."""
    notes = []
    base = _staging_base(project)
    runs = sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink()) if base.is_dir() else []
    for run in runs:
        journal = _journal(run / "journal.json")
        if journal is not None and not (replay and _as_written(run)):
            shutil.rmtree(run, ignore_errors=True)
            notes.append(f"removed the work of an interrupted build without finishing it ("
                         f"{'--fresh' if not replay else 'it holds links or files that no build writes'}); "
                         "site/ was not changed by it")
        elif journal is not None:
            _apply(project, run, journal)
            notes.append(f"finished switching in the sites of an interrupted build ({len(journal['sites'])} built, "
                         f"{len(journal['remove'])} removed)")
        else:
            shutil.rmtree(run, ignore_errors=True)
            notes.append("removed the unfinished work of an interrupted build; site/ was not changed by it")
    if project.site_dir.is_dir():
        for entry in os.scandir(project.site_dir):
            if entry.name.startswith(_OLD_LEFTOVERS) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
                notes.append(f"removed site/{entry.name}, left by an interrupted build")
    return notes
