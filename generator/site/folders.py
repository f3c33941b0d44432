"""Empty folders kept from old sites in .cache/folders/ and used again for the pages of new ones.

Every page of a site is a folder of its own (privacy/v2/changes/index.html), so a clinic with ten
versions of each notice needs about seventy. On the disk measured here a new folder costs 0.26 ms and
removing one 0.07 ms, while moving an empty folder costs 0.012-0.025 ms: an old site's folders, emptied
when it is switched out (generator/site/swap.py), are moved here, and a site being staged takes its
pages' folders from here before MkDocs writes into them.

Nothing here is trusted (.cache/ may be planted). A folder taken is first moved into the run's own
scratch folder (`SCRATCH`) and looked at there through a descriptor that follows no link: it is used
only if it is a real, empty folder of this user's with the group and extended attributes (a default
ACL) a folder made there has, and its mode is set to a new one's (a setgid parent's bit included).
Anything else stays in the scratch folder and is removed with the run, never in a site's folder: a
planted folder that cannot be emptied never becomes a page's. The pool itself a link: not used. What a
site contains is the same either way (tests/test_folders.py).
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from .linking import own_folder

ENABLED = os.environ.get("NOTICES_NO_FOLDER_POOL", "") in ("", "0")
POOL = ".cache/folders"
SCRATCH = "taken"  # in a run's staging folder: where a folder taken is looked at
LIMIT = 10000  # folders kept at most: an empty folder takes a block (4 KB) of the disk
_NAMES = itertools.count()
def _usable(pool: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(pool).st_mode)
    except OSError:
        return False


class Pool:
    """The folders one process may take for a run: listed once, when first asked (the pool grows only
    when a run switches its sites in, after every site is staged). `scratch`, a folder of the run's own
    (its staging folder's taken/), is where a folder taken is looked at before it goes anywhere: one
    that is not fit stays there and is removed with the run, never in a site's folder."""

    def __init__(self, path: Path, scratch: Path) -> None:
        self.path = path
        self.scratch = scratch
        self._names: list[str] | None = None
        self._new: tuple | None = None  # what a new folder here is like (mode, group, extended attributes)
        self.taken = 0

    def _next(self) -> str | None:
        if self._names is None:
            try:
                ok = ENABLED and _usable(self.path) and _usable(self.scratch)
                self._names = sorted(os.listdir(self.path)) if ok else []
                self._new = _made(self.scratch) if self._names else None
            except OSError:
                self._names = []
            if self._new is None:
                self._names = []
            if os.getpid() % 2:  # two workers take from opposite ends, rather than racing for each name
                self._names.reverse()
        return self._names.pop() if self._names else None

    def make(self, folder: Path) -> None:
        """`folder`, new (its parent exists, and no other process makes it): taken from the pool where
        one is fit, otherwise made."""
        while (name := self._next()) is not None:
            held = self.scratch / f"{os.getpid()}-{next(_NAMES)}"
            try:
                os.rename(self.path / name, held)
            except OSError:
                continue  # taken by another worker, or not a folder that can be moved here
            if _fit(held, self._new):
                os.rename(held, folder)
                self.taken += 1
                return
        os.mkdir(folder)

    def make_all(self, folders: Iterable[Path]) -> None:
        """Every folder in `folders` and their parents that does not exist yet, parents first."""
        for folder in sorted(set(folders), key=lambda p: len(p.parts)):
            missing = []
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            for path in reversed(missing):
                self.make(path)


def _made(scratch: Path) -> tuple | None:
    """The mode, group and extended attributes of a folder made by mkdir in `scratch` (a setgid parent or
    a default ACL shapes them): what a folder taken must have."""
    probe = scratch / f"new-{os.getpid()}-{next(_NAMES)}"
    os.mkdir(probe)
    try:
        return _looks(probe)
    finally:
        os.rmdir(probe)


def _looks(folder: Path, new: tuple | None = None) -> tuple | None:
    """(mode, group, extended attributes) of a real, empty folder of this user's; None for anything else.
    With `new`, what a new folder has: None unless the group and attributes match, and the mode is set."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or os.listdir(fd):
            return None
        try:
            attrs = tuple(sorted((n, os.getxattr(fd, n)) for n in os.listxattr(fd)))
        except OSError:
            attrs = ()  # no extended attributes on this file system
        looks = (stat.S_IMODE(st.st_mode), st.st_gid, attrs)
        if new is not None:
            if looks[1:] != new[1:]:
                return None
            if looks[0] != new[0]:
                os.fchmod(fd, new[0])
        return looks
    finally:
        os.close(fd)


def _fit(folder: Path, new: tuple | None) -> bool:
    """Whether `folder` (a link, a file, a folder with anything in it, of another user's, or with other
    attributes than a new one: not fit) may serve as a new folder; its mode is made a new one's."""
    try:
        return new is not None and _looks(folder, new) is not None
    except (OSError, NotImplementedError):
        return False


def recycle(pool: Path, tree: str, room: list[int]) -> None:
    """Remove `tree` (an old site, out of site/), keeping its folders, emptied, in `pool` while `room`[0]
    (shared by the threads doing this) allows. Follows no link: a link is removed like a file."""
    if not ENABLED or room[0] <= 0 or os.path.islink(tree):
        shutil.rmtree(tree, ignore_errors=True)
        return
    for folder, dirs, files in os.walk(tree, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
        for name in dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path):  # os.walk lists a link to a folder with the folders
                try:
                    os.unlink(path)
                except OSError:
                    pass
        if room[0] > 0 and not _holds_anything(folder):
            try:
                os.rename(folder, pool / f"{os.getpid()}-{next(_NAMES)}")
                room[0] -= 1
                continue
            except OSError:
                pass
        try:
            os.rmdir(folder)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)


def recycle_all(pool: Path, trees: list[str]) -> None:
    """`recycle` each of `trees` (old sites), four at a time: unlinking is the kernel's work, and threads
    waiting in it let each other go on (100 sites: 0.9 s alone, 0.45 s four at a time, on the 2-core
    machine of the README)."""
    if not trees:
        return
    room = [room_in(pool)]
    with ThreadPoolExecutor(max_workers=4) as threads:
        list(threads.map(lambda tree: recycle(pool, tree, room), trees))


def _holds_anything(folder: str) -> bool:
    try:
        return bool(os.listdir(folder))
    except OSError:
        return True


def room_in(pool: Path) -> int:
    """How many folders the pool may still take (made if need be; a link in its place is removed)."""
    try:
        return max(0, LIMIT - len(os.listdir(pool))) if own_folder(pool) else 0
    except OSError:
        return 0


_POOLS: dict[tuple[str, str], Pool] = {}


def pool(path: Path, run: str) -> Pool:
    """This process's view of the pool for one run (`run`: its staging folder, which holds the folder
    `SCRATCH` for it), listed once."""
    key = (str(path), run)
    if key not in _POOLS:
        _POOLS.clear()
        _POOLS[key] = Pool(path, Path(run) / SCRATCH)
    return _POOLS[key]
