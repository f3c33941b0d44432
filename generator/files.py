"""Reading a file the user points at, without being fooled by what it turns out to be.

A path in a clinic's folder may be a folder, a pipe (opening it for reading waits for a writer
forever) or a link to a device such as /dev/zero (reading it never ends). Only a regular file of a
sensible size is read; anything else is an `Unreadable` with a reason to show.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class Unreadable(Exception):
    """Why a file cannot be read, as the end of a sentence that starts with its path."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, if it holds at most `limit` of them."""
    try:
        # O_NONBLOCK: opening a pipe returns at once (and fstat then refuses it) instead of hanging.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise Unreadable("is missing") from None
    except IsADirectoryError:
        raise Unreadable("is a folder, not a file") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}") from None
    st = os.fstat(fd)
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise Unreadable("is a folder, not a file")
        raise Unreadable("is not a regular file (it is a device, a pipe or a socket)")
    with os.fdopen(fd, "rb") as fh:
        try:
            # Asked for its size and one byte more (a buffer of `limit` bytes costs more than a small
            # file's read); a file that grew since is read on, up to the limit.
            want = min(limit, st.st_size) + 1
            data = fh.read(want)
            if len(data) == want and want <= limit:
                data += fh.read(limit + 1 - want)
        except OSError as exc:
            raise Unreadable(f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:
        raise Unreadable(f"is larger than {limit:,} bytes")
    return data
