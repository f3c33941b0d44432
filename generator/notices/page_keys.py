"""What a version's page and its what-changed page are made from, as one digest: their key.

A clinic with a long history has two pages per version, and once a version is archived its pages
come out the same from one build to the next. The site builder keeps their HTML (generator/site/
page_cache.py); this key lets a build find that HTML without first writing the page's Markdown (its
banners, links and word diff), so that the cost of a clinic stays nearly flat as its history grows.

A key is sound only if it covers everything the page's Markdown is made from. So these pages are
rendered from a *closed* context (`frozen` in pages.py `build_pages`): plain values, each of them in the key,
and nothing else. A template that reaches for anything more (the clinic's address, another notice's
versions) fails loudly (StrictUndefined) rather than being served stale. The key also covers:
- every file of templates/ (templates, labels, catalogs) by its name, size, time and inode (the trust
  the incremental build gives file times: an edit changes them);
- the source of the generator package (the code that shapes the context and the Markdown), once per
  process.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

FORMAT = 2  # 2: a dataclass stands in by the digest of its repr
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE: list[str] = []


def code_digest() -> str:
    """The source of every module of the package, read once per process."""
    if not _CODE:
        h = hashlib.blake2b(digest_size=16)
        for path in sorted(_PACKAGE.rglob("*.py")):
            h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
        _CODE.append(h.hexdigest())
    return _CODE[0]


_TEMPLATES: dict[Path, str] = {}


def forget_templates() -> None:
    _TEMPLATES.clear()


def templates_digest(folder: Path, once: bool = False) -> str:
    """Every file of the templates folder by its name, size, time and inode: an edit, or a file replaced,
    added or removed, gives another digest. Only looked at, not read: a clinic's build reads only the
    templates it uses (its recorded inputs), and a digest that changed costs only a page written again.
    `once`: looked at once per process until `forget_templates` (a build's worker, whose templates are
    loaded once: the digest from before they were loaded is the one its pages are kept under)."""
    if once and folder in _TEMPLATES:
        return _TEMPLATES[folder]
    _TEMPLATES[folder] = _templates_digest(folder)
    return _TEMPLATES[folder]


def _templates_digest(folder: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
                h.update(f"{os.path.relpath(path, folder)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0"
                         .encode("utf-8", "surrogateescape"))
            except OSError:
                h.update(f"{path}\0gone\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def key_of(*values: Any) -> str:
    """A digest of plain values (str, int, bool, date, None, tuples and frozen dataclasses of them): their
    repr is complete and the same in every process. A version (a frozen dataclass holding its whole text)
    stands in by the digest of its repr, made once: three pages' keys name it."""
    return hashlib.blake2b(repr((FORMAT, _plain(values))).encode("utf-8", "surrogateescape"),
                           digest_size=20).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        try:
            return _digest(value)
        except TypeError:  # not hashable: as it is
            return value
    return value


@functools.lru_cache(maxsize=256)  # a clinic's versions at a time: each holds its whole text
def _digest(value: Any) -> tuple[str, str]:
    return (type(value).__name__, hashlib.blake2b(repr(value).encode("utf-8", "surrogateescape"),
                                                  digest_size=20).hexdigest())
