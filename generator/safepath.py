"""Files that a clinic's data names are read only from inside the clinic's own folder.

A clinic folder is untrusted input, and a symbolic link in it may point anywhere: `logo.svg ->
/etc/passwd` would otherwise be read, and published, as the logo. `unsafe` follows links only as far as
the folder: the file's real path must lie inside the folder's real path, and be a regular file (a FIFO
or a device would block a read or never end it). A link that stays inside the folder is followed.

`read_bytes` reads such a file without following a link swapped in after the check (O_NOFOLLOW on
the resolved path), and reads no more than a limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import NoticesError


class UnsafeFile(NoticesError):
    """The file may not be read: `reason` says why, as the end of a sentence about it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def unsafe(folder: Path, path: Path, *, folders: bool = False) -> str | None:
    """Why `path` may not be read as one of `folder`'s files (the end of a sentence), or None if it may.

    A file that does not exist is not unsafe: the caller reports it as missing. With `folders`, a
    folder inside `folder` is not unsafe either."""
    real_folder = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(path))
    if real != real_folder and real_folder not in real.parents:
        linked = _first_link(folder, path)
        return (f"is a link to {real}, outside the clinic's folder" if linked else
                f"is outside the clinic's folder ({real})")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if folders and stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file" if not stat.S_ISDIR(st.st_mode) else "is a folder, not a file"
    return None


def read_bytes(folder: Path, path: Path, limit: int) -> bytes:
    """The bytes of `path`, a file inside `folder`, at most `limit` of them plus one (so that a caller
    sees that the file is too large). Raises UnsafeFile, or FileNotFoundError if there is no such file."""
    reason = unsafe(folder, path)
    if reason:
        raise UnsafeFile(reason)
    real = os.path.realpath(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:  # ELOOP: a link was put in its place since the check
        raise UnsafeFile(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise UnsafeFile("is not a regular file")
        return fh.read(limit + 1)


def _first_link(folder: Path, path: Path) -> bool:
    # Whether a link (rather than, say, a folder that is itself elsewhere) takes the path out.
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        return False
    here = folder
    for part in parts:
        here = here / part
        if here.is_symlink():
            return True
    return False
