"""What one clinic's build read, noted where it is read: the templates it asked for (found or not), the
languages whose words it used, and the files it took bytes from, each with the digest of the bytes used.

The incremental build (generator/site/incremental.py) records these as the clinic's inputs. Noting them at the
point of use, rather than working them out beforehand, is what keeps a computed include, a language
reached only through another setting, or a file changed while the build runs from going unseen.
Imports nothing heavy: the no-op path of a build reads the manifest without Jinja or MkDocs.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

MISSING = "missing"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class Reads:
    files: dict[str, str] = field(default_factory=dict)  # absolute path -> digest of the bytes used, or MISSING
    langs: list[str] = field(default_factory=list)  # in the order first used


_active: list[Reads] = []


@contextmanager
def recording() -> Iterator[Reads]:
    """Note every read inside the block (a build of one clinic) into the Reads it yields."""
    reads = Reads()
    _active.append(reads)
    try:
        yield reads
    finally:
        _active.remove(reads)


def note_file(path: str, data: bytes | None, replace: bool = False) -> None:
    """`data` is what was read from `path`; None when it was looked for and not there. The first read
    counts, unless `replace` (a file read again for what is published)."""
    if _active:
        value = MISSING if data is None else digest(data)
        for reads in _active:
            if replace:
                reads.files[path] = value
            else:
                reads.files.setdefault(path, value)


def note_digest(path: str, value: str) -> None:
    for reads in _active:
        reads.files.setdefault(path, value)


def note_lang(lang: str) -> None:
    for reads in _active:
        if lang not in reads.langs:
            reads.langs.append(lang)
