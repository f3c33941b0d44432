"""Old sites, switched out of site/, emptied after the build that replaced them has returned.

Emptying a site is the kernel's work of unlinking each file (100 sites: about 0.5 s here, a twentieth of
building them), and nothing waits on it once the new sites are in: site/ and the manifest are final
before anything is put here. So `notices build` moves the old sites into `.cache/trash/` (a rename
each) and leaves their emptying to a process of its own, detached, which keeps their folders for later
pages (generator/site/folders.py) as a build would have. The command returns meanwhile; a build in
progress never reads the trash, and the cleaner only unlinks and moves within .cache/.

One cleaner at a time (it holds `.cache/trash.lock`; the next waits for it): it empties everything
there, what a build after it adds included, and the next build that switches sites in starts one again
for anything left (after a kill, say). Where a process cannot safely be forked (other threads running),
the trash is emptied at once. A build used as a library (tests, `notices serve`) empties it before
returning, and `notices build --fresh` waits for a cleaner at work before it removes the folder pool.

Nothing here is trusted: a link in the trash is removed, never followed (folders.recycle).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from . import faults
from . import folders as folders_mod
from .linking import own_folder

TRASH = ".cache/trash"
LOCK = ".cache/trash.lock"


def put(root: Path, run: Path, names: tuple[str, ...]) -> None:
    """Move the folders `names` of a run's staging folder (its old and removed sites) into the trash."""
    trash = root / TRASH
    if not own_folder(trash):
        return  # left in the run's folder, removed with it
    for name in names:
        src = run / name
        if src.is_dir() and not src.is_symlink():
            try:
                os.rename(src, trash / f"{run.name}-{name}-{time.time_ns()}")
            except OSError:
                pass  # removed with the run's folder


@contextmanager
def settled(root: Path) -> Iterator[None]:
    """Hold the trash lock, once any cleaner still at work is done, with the trash removed unemptied:
    for `notices build --fresh`, which removes the folder pool a cleaner fills."""
    fd = _lock(root, wait=True)
    try:
        shutil.rmtree(root / TRASH, ignore_errors=True)
        if (root / TRASH).is_symlink():
            os.unlink(root / TRASH)
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _lock(root: Path, wait: bool) -> int | None:
    """The trash lock's descriptor, held; None if another holds it (and not `wait`) or it cannot be had."""
    try:
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


def empty(root: Path, wait: bool = True) -> bool:
    """Empty the trash into the folder pool, holding the trash lock (`wait`: for another cleaner to
    finish first; otherwise leave it to that one). Whether this call emptied it."""
    trash, pool = root / TRASH, root / folders_mod.POOL
    fd = _lock(root, wait)
    if fd is None:
        return False
    try:
        faults.point("trash-emptying")
        while batches := _listed(trash):  # again until empty: a build may add to it meanwhile
            folders_mod.recycle_all(pool, [str(site) for batch in batches for site in _listed(batch)])
            for batch in batches:
                shutil.rmtree(batch, ignore_errors=True)
                if batch.is_symlink() or batch.is_file():
                    try:
                        os.unlink(batch)
                    except OSError:
                        pass
            if any(batch.is_symlink() or batch.exists() for batch in batches):
                return False  # cannot be removed: tried again by a later cleaner
        return True
    finally:
        os.close(fd)


def _listed(folder: Path) -> list[Path]:
    try:
        if folder.is_symlink() or not folder.is_dir():
            return []
        with os.scandir(folder) as entries:
            return sorted(Path(entry.path) for entry in entries)
    except OSError:
        return []


def holds_any(root: Path) -> bool:
    return bool(_listed(root / TRASH))


def idle(root: Path) -> bool:
    """Whether the trash is empty and no cleaner is at work (one waiting for its turn counts as at work)."""
    if holds_any(root):
        return False
    fd = _lock(root, wait=False)
    if fd is None:
        return not (root / LOCK).exists()
    os.close(fd)
    return True


def empty_later(root: Path) -> None:
    """Empty the trash in a process of its own that outlives this one (see the module's docstring), or
    here and now where forking is not safe."""
    if not holds_any(root):
        return
    if not hasattr(os, "fork") or threading.active_count() > 1:
        empty(root)
        return
    try:
        pid = os.fork()
    except OSError:
        empty(root)
        return
    if pid:
        os.waitpid(pid, 0)  # the first child leaves at once; its own child carries on alone
        return
    try:
        # Nothing of the build's is held once the first child is gone: no descriptor (the build lock, a
        # pipe the caller reads to its end) is left open before the cleaner is forked.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, _max_fd())
        os.setsid()
        if os.fork():
            os._exit(0)
        empty(root, wait=True)  # after a cleaner still at work: what this build put there is emptied too
    finally:
        os._exit(0)


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 4096
