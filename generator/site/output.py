"""What a build wrote: each site's list of files and folders with sizes and times, and a digest of its contents.

A site is checked again by the paths recorded when it was built (its shape): one `lstat` each, and only
the site's own folder read. A name added to, removed from or renamed in a folder changes the folder's
modification time, part of what is compared, so nothing is missed by not reading the folders, unless a
tool sets a folder's time back after changing what it holds (`notices build --force` rebuilds then).
Sizes and times that differ lead to a check of the contents, file by file. Where the file system keeps
times only to the second, a site has no shape recorded and is read whole. (A folder's time moves by the
kernel's clock tick, a few ms: a name added within the tick of the build's own last write there, before
the build has even switched the site in, is the one case left unseen.)
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import threading
from pathlib import Path

from ..project import Project
from .inputs import MISSING


def tree(site: Path | str) -> list[tuple[str, str, int, int]]:
    """Every file and folder under a built site (not the site's folder itself), sorted by path: (path,
    kind, size, modification time), where kind is "d" for a folder (its size counted as 0) and else the
    file's type in octal (a link is not a file)."""
    out: list[tuple[str, str, int, int]] = []
    todo = [(str(site), "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                out.append((f"{prefix}{entry.name}", "d", 0, st.st_mtime_ns))
                todo.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                out.append((f"{prefix}{entry.name}", f"{stat.S_IFMT(st.st_mode):o}", st.st_size, st.st_mtime_ns))
    out.sort()
    return out


def shape_of(items: list[tuple[str, str, int, int]]) -> dict[str, str]:
    """The paths of a tree, each with "d" (a folder) or "f": what `by_shape` stats to list it again.
    Empty (the site is then read whole each time) on a file system that keeps times to the second: a
    name added to a folder in the second the build last wrote there would not change its time."""
    if all(mtime % 1_000_000_000 == 0 for _, _, _, mtime in items):
        return {}
    return {rel: "d" if kind == "d" else "f" for rel, kind, _, _ in items}


class Shape:
    """A site's recorded shape, ready to be listed by: its paths in order and the names at its top."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = sorted(paths.items())
        self.top = frozenset(rel for rel in paths if "/" not in rel)


def by_shape(site: str, shape: Shape) -> list[tuple[str, str, int, int]] | None:
    """`tree(site)` when the site still has exactly the recorded shape, found with one `lstat` a path and
    no folder read but the site's own: a name added to, removed from or renamed in a folder changes that
    folder's modification time, which is part of its entry (the site's own folder is read instead, as
    a new date renames its versions.json in). None when the site is not of that shape."""
    try:
        if not stat.S_ISDIR(os.lstat(site).st_mode):
            return None
        with os.scandir(site) as entries:
            if {entry.name for entry in entries} != shape.top:
                return None
    except OSError:
        return None
    out = []
    join, lstat, isdir = os.path.join, os.lstat, stat.S_ISDIR
    for rel, kind in shape.paths:
        try:
            st = lstat(join(site, rel))
        except OSError:
            return None
        if isdir(st.st_mode):
            if kind != "d":
                return None
            out.append((rel, "d", 0, st.st_mtime_ns))
        elif kind == "d":
            return None
        else:
            out.append((rel, f"{stat.S_IFMT(st.st_mode):o}", st.st_size, st.st_mtime_ns))
    return out


def listing_digest(items: list[tuple[str, str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, kind, size, mtime in items:
        h.update(f"{rel}\0{kind}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# Digests of files with more than one name, by inode, size and time, for one run: the theme's files
# (1.7 MB a site) are links to one copy kept for every site (linking.Store), read once instead of once
# a site. Emptied when a run starts (forget_linked).
_LINKED: dict[tuple[int, int, int, int], str] = {}


def forget_linked() -> None:
    _LINKED.clear()


def file_digest(path: str) -> str:
    st = os.lstat(path)
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "link:" + os.readlink(path)
    if not stat.S_ISREG(mode):
        return f"not a file: {stat.S_IFMT(mode):o}"  # a FIFO would block the read: no build writes one
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if st.st_nlink > 1 and key in _LINKED:
        return _LINKED[key]
    with open(path, "rb") as fh:
        digest = hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
    if st.st_nlink > 1:
        _LINKED[key] = digest
    return digest


def _content_digest(site: Path, items: list[tuple[str, str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, kind, _, _ in items:
        if rel != "versions.json":  # the one file a new date rewrites in place: recorded on its own
            digest = "folder" if kind == "d" else file_digest(os.path.join(site, rel))
            h.update(f"{rel}\0{digest}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def output_record(site: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What the build wrote into `site`: its listing, its contents and its versions.json; and its shape."""
    items = tree(site)
    try:
        versions_json = file_digest(os.path.join(site, "versions.json"))
    except OSError:
        versions_json = MISSING
    record = {"listing": listing_digest(items), "content": _content_digest(site, items), "versions_json": versions_json}
    return record, shape_of(items)


def items_of(site: str, shape: Shape | None) -> list[tuple[str, str, int, int]]:
    """`tree(site)`: by its recorded shape where there is one and the site still has it, else read whole."""
    found = by_shape(site, shape) if shape is not None and shape.paths else None
    return found if found is not None else tree(site)


def _listing_digests(sites: dict[str, Shape | None]) -> list[str | None]:
    """Each site's listing digest (None where it is not a real folder)."""
    return [None if os.path.islink(site) or not os.path.isdir(site) else listing_digest(items_of(site, shape))
            for site, shape in sites.items()]


# Below this many sites, this process lists them when asked; from this many, a forked process lists
# them while this one goes on (~100 `stat` calls a site, most of a build that finds nothing to do).
_FORK_FROM = 200


class Listings:
    """The listing digests of many site folders ({folder: its recorded Shape, or None to read it whole}),
    as `_listing_digests` gives them, made by a process forked at once: this one meanwhile checks the
    inputs and imports what the build needs, on the other core. The child only lists and hashes, writes
    its digests back through a pipe and leaves. Where forking is not safe (other threads) or fails, or
    the sites are few, they are listed here when first asked for. Use it as a context manager: the child
    is reaped even on an error."""

    def __init__(self, sites: dict[str, Shape | None]) -> None:
        self.sites = sites
        self._pid: int | None = None
        self._read: int | None = None
        self._digests: dict[str, str | None] | None = None
        if len(sites) < _FORK_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        try:
            read, write = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child
            try:
                os.close(read)
                data = json.dumps(_listing_digests(sites)).encode()
                view = memoryview(data)
                while view:
                    view = view[os.write(write, view):]
            finally:
                os._exit(0)
        os.close(write)
        self._pid, self._read = pid, read

    def digests(self) -> dict[str, str | None]:
        if self._digests is None:
            theirs = self._collect()
            if not isinstance(theirs, list) or len(theirs) != len(self.sites):
                theirs = _listing_digests(self.sites)
            self._digests = dict(zip(self.sites, theirs))
        return self._digests

    def _collect(self) -> object:
        if self._pid is None or self._read is None:
            return None
        pid, self._pid = self._pid, None
        chunks = []
        with os.fdopen(self._read, "rb") as fh:
            while chunk := fh.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        try:
            return json.loads(b"".join(chunks)) if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else None
        except ValueError:
            return None

    def __enter__(self) -> "Listings":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:
                pass
            self._collect()


def listing_digests(sites: dict[str, Shape | None]) -> list[str | None]:
    """The listing digest of each site folder (see _listing_digests), by another process when many."""
    with Listings(sites) as listings:
        found = listings.digests()
    return [found[site] for site in sites]


def outputs_intact(project: Project, recorded: dict[str, tuple[dict[str, str], Shape | None]],
                   listings: Listings | None = None) -> dict[str, bool]:
    """`output_intact` for many sites at once ({slug: (what was recorded, its shape)}); `listings` may
    hold the listing digests of some of them, made earlier."""
    known = listings.digests() if listings is not None else {}
    paths = {slug: str(project.site_dir / slug) for slug in recorded}
    todo = {path: recorded[slug][1] for slug, path in paths.items() if path not in known}
    known = {**known, **dict(zip(todo, listing_digests(todo)))} if todo else known
    out = {}
    for slug, path in paths.items():
        digest = known[path]
        if digest is None:
            out[slug] = False
        elif digest == recorded[slug][0].get("listing"):
            out[slug] = True
        else:
            out[slug] = output_intact(project, slug, recorded[slug][0])
    return out


def output_intact(project: Project, slug: str, recorded: dict[str, str]) -> bool:
    """Whether site/<slug>/ is exactly what was built: by sizes and times first, by contents only when
    those differ (a restored copy may keep the bytes and change the times)."""
    site = project.site_dir / slug
    if site.is_symlink() or not site.is_dir():
        return False
    items = tree(site)
    if listing_digest(items) == recorded.get("listing"):
        return True
    try:
        now, _ = output_record(site)
    except OSError:
        return False
    return now["content"] == recorded.get("content") and now["versions_json"] == recorded.get("versions_json")
