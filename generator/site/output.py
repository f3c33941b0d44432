"""What a build wrote: each site's list of files with sizes and times, and a digest of their contents.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..project import Project
from .inputs import MISSING

if TYPE_CHECKING:
    pass


def listing(site: Path) -> list[tuple[str, int, int]]:
    """Every file under a built site, with its size and modification time, sorted by path."""
    out: list[tuple[str, int, int]] = []
    todo = [(str(site), "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                st = entry.stat(follow_symlinks=False)
                out.append((f"{prefix}{entry.name}", st.st_size, st.st_mtime_ns))
    out.sort()
    return out
def listing_digest(items: list[tuple[str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, size, mtime in items:
        h.update(f"{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
def file_digest(path: str) -> str:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "link:" + os.readlink(path)
    if not stat.S_ISREG(mode):
        return f"not a file: {stat.S_IFMT(mode):o}"  # a FIFO would block the read: no build writes one
    with open(path, "rb") as fh:
        return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
def _content_digest(site: Path, items: list[tuple[str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, _, _ in items:
        if rel != "versions.json":  # the one file a new date rewrites in place: recorded on its own
            h.update(f"{rel}\0{file_digest(os.path.join(site, rel))}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
def output_record(site: Path) -> dict[str, str]:
    """What the build wrote into `site`: its listing, its contents, and its versions.json."""
    items = listing(site)
    try:
        versions_json = file_digest(os.path.join(site, "versions.json"))
    except OSError:
        versions_json = MISSING
    return {"listing": listing_digest(items), "content": _content_digest(site, items), "versions_json": versions_json}
def _listing_digests(sites: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for site in sites:
        if os.path.islink(site) or not os.path.isdir(site):
            out.append(None)
        else:
            out.append(listing_digest(listing(Path(site))))
    return out


# Below this many sites, this process lists them when asked; from this many, a forked process lists
# them while this one goes on (~50-100 `stat` calls a site, most of a build that finds nothing to do).
_FORK_FROM = 200


class Listings:
    """The listing digests of many site folders (None: not a real folder), as `listing_digest(listing())`,
    made by a process forked at once: this one meanwhile checks the inputs and imports what the build
    needs, on the other core. The child only lists and hashes, writes its digests back through a pipe and
    leaves. Where forking is not safe (other threads) or fails, or the sites are few, they are listed
    here when first asked for. Use it as a context manager: the child is reaped even on an error."""

    def __init__(self, sites: list[str]) -> None:
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


def listing_digests(sites: list[str]) -> list[str | None]:
    """The listing digest of each site folder (None: not a real folder): see Listings."""
    with Listings(sites) as listings:
        found = listings.digests()
    return [found[site] for site in sites]


def outputs_intact(project: Project, recorded: dict[str, dict[str, str]],
                   listings: Listings | None = None) -> dict[str, bool]:
    """`output_intact` for many sites at once ({slug: what was recorded}); `listings` may hold the
    listing digests of some of them, made earlier."""
    known = listings.digests() if listings is not None else {}
    paths = {slug: str(project.site_dir / slug) for slug in recorded}
    todo = [path for path in paths.values() if path not in known]
    known = {**known, **dict(zip(todo, listing_digests(todo)))} if todo else known
    out = {}
    for slug, path in paths.items():
        digest = known[path]
        if digest is None:
            out[slug] = False
        elif digest == recorded[slug].get("listing"):
            out[slug] = True
        else:
            out[slug] = output_intact(project, slug, recorded[slug])
    return out


def output_intact(project: Project, slug: str, recorded: dict[str, str]) -> bool:
    """Whether site/<slug>/ is exactly what was built: by sizes and times first, by contents only when
    those differ (a restored copy may keep the bytes and change the times)."""
    site = project.site_dir / slug
    if site.is_symlink() or not site.is_dir():
        return False
    items = listing(site)
    if listing_digest(items) == recorded.get("listing"):
        return True
    try:
        now = output_record(site)
    except OSError:
        return False
    return now["content"] == recorded.get("content") and now["versions_json"] == recorded.get("versions_json")
