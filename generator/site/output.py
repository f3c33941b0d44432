"""What a build wrote: each site's list of files with sizes and times, and a digest of their contents.
"""

from __future__ import annotations

import hashlib
import os
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
    if os.path.islink(path):
        return "link:" + os.readlink(path)
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
