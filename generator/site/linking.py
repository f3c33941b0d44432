"""Files written once and then only linked: a site's copy of a file kept in .cache/ is a hard link to it.

On the disks measured here, creating a file with its bytes costs about ten times as much as a link to
one that exists (0.24 ms against 0.02 ms for a 30 KB file), and a clinic's site holds the same PDFs, kept
pages and theme files from one build to the next. A linked file is never written through: a build
writes only new files in a new staging folder (generator/site/swap.py), and the cache replaces its
files rather than rewriting them, so a link never changes under a site. Where a link cannot be made
(another file system, a disk that has none), the bytes are written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

# What a build keeps in .cache/ and uses again: set aside whole by `notices build --fresh`.
KEPT = ("pages", "jinja", "pdf", "static", "folders")


class KeptBytes(bytes):
    """File contents read from a file in .cache/ that holds them: written by linking to it."""

    path: Path

    def __new__(cls, data: bytes, path: Path) -> "KeptBytes":
        out = super().__new__(cls, data)
        out.path = path
        return out


def link(source: Path, dest: Path) -> bool:
    """Link `dest` to `source`, a regular file; False where that cannot be done. A link at `source` is
    never followed: a site would hold whatever file it names."""
    try:
        if not stat.S_ISREG(os.lstat(source).st_mode):
            return False
        os.link(source, dest, follow_symlinks=False)
        return True
    except OSError:
        return False


def read_kept(path: Path) -> bytes:
    """The bytes of a file kept in .cache/. OSError if there is none, or a link or anything but a regular
    file is in its place: a link is never followed (it would publish whatever file it names)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return fh.read()


def own_folder(folder: Path) -> bool:
    """Whether `folder`, in .cache/, is a real folder, made if need be. A link in its place is removed,
    never followed, so that nothing is read, written or deleted where it points. (.cache/ itself is
    checked before a build starts: generator/site/swap.py.)"""
    try:
        if folder.is_symlink():
            os.unlink(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return folder.is_dir() and not folder.is_symlink()
    except OSError:
        return False


def forget_kept(cache: Path) -> None:
    """Remove what builds keep in `cache` to use again, so that nothing of it is used: a link is
    removed, never followed, and a folder's links are removed with it (shutil.rmtree never follows one)."""
    for name in KEPT:
        path = cache / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)


def write(dest: Path, data: bytes) -> None:
    """Write a file of a site being staged: linked where the bytes are a kept file's, else written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    path = getattr(data, "path", None)
    if path is not None and _same_size(path, len(data)):
        dest.unlink(missing_ok=True)
        if link(path, dest):
            return
    dest.write_bytes(data)


def _same_size(path: Path, size: int) -> bool:
    try:
        return os.stat(path).st_size == size
    except OSError:
        return False


class Store:
    """Copies of the theme's files (Material's styles and scripts, 1.6 MB a site), made once in
    .cache/static/ and linked into every site. A copy is named by its source's path, size, time and inode,
    and keeps the source's time: a copy whose size or time differ (changed by anyone) is made again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._own: bool | None = None

    def place(self, source: str, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        kept = self._copy_of(source)
        if kept is None or not link(kept, dest):
            shutil.copyfile(source, dest)

    def _copy_of(self, source: str) -> Path | None:
        try:
            st = os.stat(source)
            name = hashlib.blake2b(f"{source}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}".encode(
                "utf-8", "surrogateescape"), digest_size=16).hexdigest() + Path(source).suffix
            if self._own is None:
                self._own = own_folder(self.folder)
            if not self._own:
                return None
            path = self.folder / name
            try:
                kt = os.lstat(path)
                if stat.S_ISREG(kt.st_mode) and kt.st_size == st.st_size and kt.st_mtime_ns == st.st_mtime_ns:
                    return path
            except OSError:
                pass
            tmp = self.folder / f".tmp-{os.getpid()}-{name}"
            tmp.unlink(missing_ok=True)  # a link planted there would be written through
            shutil.copy2(source, tmp)
            os.replace(tmp, path)
            return path
        except OSError:
            return None
