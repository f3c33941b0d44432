"""Empty folders kept from old sites in .cache/folders/ and used again for the pages of new ones.

Every page of a site is a folder of its own (privacy/v2/changes/index.html), so a clinic with ten
versions of each notice needs about seventy. On the disk measured here a new folder costs 0.26 ms and
removing one 0.07 ms, while moving an empty folder costs 0.012-0.025 ms: an old site's folders, emptied
when it is switched out (generator/site/swap.py), are moved here, and a site being staged takes its
pages' folders from here before MkDocs writes into them.

Nothing here is trusted (.cache/ may be planted): a folder taken is used only if, once moved into the
staging folder, it is a real, empty folder of this user's with no extended attributes (a default ACL
would give every file made in it), with its mode set as a new folder's would be; anything else is
removed there and a folder made instead. The folder itself a link: not used. What a site contains is
the same either way (tests/test_folders.py).
"""

from __future__ import annotations

import errno
import itertools
import os
import shutil
import stat
from pathlib import Path
from typing import Iterable

ENABLED = os.environ.get("NOTICES_NO_FOLDER_POOL", "") in ("", "0")
POOL = ".cache/folders"
LIMIT = 10000  # folders kept at most: an empty folder takes a block (4 KB) of the disk
_NAMES = itertools.count()
_UMASK = os.umask(0)
os.umask(_UMASK)
_MODE = 0o777 & ~_UMASK


def _usable(pool: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(pool).st_mode)
    except OSError:
        return False


class Pool:
    """The folders one process may take: listed once, when first asked (the pool grows only when a run
    switches its sites in, after every site is staged)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._names: list[str] | None = None
        self.taken = 0

    def _next(self) -> str | None:
        if self._names is None:
            try:
                self._names = sorted(os.listdir(self.path)) if ENABLED and _usable(self.path) else []
            except OSError:
                self._names = []
            if os.getpid() % 2:  # two workers take from opposite ends, rather than racing for each name
                self._names.reverse()
        return self._names.pop() if self._names else None

    def make(self, folder: Path) -> None:
        """`folder` (its parent exists): taken from the pool where one is fit, otherwise made. Only for a
        folder no other process makes meanwhile (a site's own, in its own staging folder): one taken
        that is not fit is removed with whatever is in it."""
        while (name := self._next()) is not None:
            if _is_folder(folder):
                return
            try:
                os.rename(self.path / name, folder)
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) and _is_folder(folder):
                    self._names.append(name)  # type: ignore[union-attr]  # still in the pool
                    return
                continue  # taken by another worker, or not a folder that can be moved there
            if _fit(folder):
                self.taken += 1
                return
            _discard(folder)
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not _is_folder(folder):
                raise

    def make_all(self, folders: Iterable[Path]) -> None:
        """Every folder in `folders` and their parents that does not exist yet, parents first."""
        for folder in sorted(set(folders), key=lambda p: len(p.parts)):
            missing = []
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            for path in reversed(missing):
                self.make(path)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _fit(folder: Path) -> bool:
    try:
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or os.listdir(folder):
            return False
        try:
            if os.listxattr(folder, follow_symlinks=False):
                return False
        except OSError:
            pass  # no extended attributes on this file system: none to carry
        if stat.S_IMODE(st.st_mode) != _MODE:
            os.chmod(folder, _MODE, follow_symlinks=False)
        return True
    except OSError:
        return False


def _discard(path: Path) -> None:
    try:
        if os.path.islink(path) or not os.path.isdir(path):
            os.unlink(path)
        else:
            shutil.rmtree(path)
    except OSError:
        pass


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
        if room[0] > 0:
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


def room_in(pool: Path) -> int:
    """How many folders the pool may still take (made if need be; none if a link is in its place)."""
    try:
        if os.path.islink(pool):
            os.unlink(pool)
        pool.mkdir(exist_ok=True)
        return max(0, LIMIT - len(os.listdir(pool))) if _usable(pool) else 0
    except OSError:
        return 0


_POOLS: dict[tuple[str, str], Pool] = {}


def pool(path: Path, run: str) -> Pool:
    """This process's view of the pool for one run (`run`: its staging folder), listed once."""
    key = (str(path), run)
    if key not in _POOLS:
        _POOLS.clear()
        _POOLS[key] = Pool(path)
    return _POOLS[key]
