"""Pages built once and kept: an archived version's pages, as MkDocs wrote them, in .cache/pages/<slug>/.

An archived version's page and its what-changed page are a large part of a clinic with a long history
(two pages per version, for six years or more), and they come out the same from one build to the next
while nothing around them changes. A page is kept under a key that is a digest of everything that
feeds MkDocs' output for it:
- the page's own Markdown (its text, and the banners, links and notes the site puts around it) and
  its place in the site;
- the site's frame: every MkDocs setting the site is built with (name, address, theme and its
  language, logo, navigation, the Markdown extensions and their settings, plugins, `extra`), the
  names of every file of the site (which links resolve, and to where), the bytes of every file that is
  not a page (styles, logo), the files of the theme's `custom_dir`, the source date, and the versions
  of Python and of the packages that convert and render (MkDocs, Material, Markdown, its extensions,
  Jinja) and the source of the modules that build the site.
Any change to any of these gives another key, so a page is never served from an older frame: a
template, label or catalog change that shows on an archived page changes its Markdown; a theme or
mkdocs.yml change changes the frame. Only a page that nothing searches (its front matter excludes it
from the site's search), that is not in the navigation and whose HTML feeds nothing else is kept, and
only from a build that logged no warning: a page served from here is exactly the bytes MkDocs wrote
for it, and the build's warnings are those a build without the cache gives (tested in
tests/test_page_cache.py against builds without it).

After a clinic's site is staged, the pages its build did not use are removed, so the folder holds one
site's worth of pages. An entry that cannot be read, or whose bytes do not match their digest, is
built again. Imports nothing from MkDocs: the site builder asks it (generator/site/theme_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 2
ENABLED = os.environ.get("NOTICES_NO_PAGE_CACHE", "") in ("", "0")
_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "markupsafe", "pygments")
# The modules whose code shapes what MkDocs writes for a page (the plugins, the reuse of parts).
_MODULES = ("builder.py", "parts.py", "theme_cache.py", "page_cache.py")
_SOFTWARE: list[str] = []


def _software() -> str:
    if not _SOFTWARE:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{FORMAT}\0{sys.version}\0".encode())
        for name in _PACKAGES:
            try:
                h.update(f"{name}={metadata.version(name)}\0".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{name}=none\0".encode())
        here = Path(__file__).parent
        for module in _MODULES:
            h.update(module.encode() + b"\0" + (here / module).read_bytes() + b"\0")
        _SOFTWARE.append(h.hexdigest())
    return _SOFTWARE[0]


def _folder_digest(folder: str | None) -> str:
    if not folder:
        return ""
    h = hashlib.blake2b(digest_size=16)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                h.update(os.path.relpath(path, folder).encode("utf-8", "surrogateescape") + b"\0" + fh.read() + b"\0")
    return h.hexdigest()


def frame_digest(options: dict[str, Any], sources: dict[str, str | bytes], epoch: int) -> str:
    """A digest of everything around a page that feeds its HTML (see the module's docstring)."""
    settings = {k: v for k, v in options.items() if k not in ("docs_dir", "site_dir")}  # staging paths
    theme = settings.get("theme") if isinstance(settings.get("theme"), dict) else {}
    h = hashlib.blake2b(digest_size=16)
    h.update(_software().encode() + b"\0")
    h.update(json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    h.update(f"\0{epoch}\0{_folder_digest(theme.get('custom_dir'))}\0".encode())
    for uri in sorted(sources):
        data = sources[uri]
        # A page's name decides where links to it go; its text feeds its own key, not the frame.
        h.update(uri.encode("utf-8", "surrogateescape") + b"\0")
        if not uri.endswith(".md"):
            h.update(hashlib.blake2b(data if isinstance(data, bytes) else data.encode(), digest_size=16).digest())
    return h.hexdigest()


def page_key(frame: str, src_uri: str, markdown: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{frame}\0{src_uri}\0".encode("utf-8", "surrogateescape"))
    h.update(markdown.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    html: bytes  # what MkDocs wrote for the page
    anchors: list[str]  # the ids in the page, for MkDocs' check of links to its anchors
    links: dict[str, dict[str, str]]  # the page's own links to anchors: {target page: {anchor: link}}
    search: list[dict]  # the page's entries in the site's search index


class PageCache:
    """One clinic's kept pages. Not shared between processes: one clinic is built by one worker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0
        self.stored = 0

    def get(self, key: str) -> Entry | None:
        try:
            data = (self.folder / f"{key}.page").read_bytes()
            head, html = data.split(b"\n", 1)
            meta = json.loads(head)
            if meta.get("digest") != hashlib.blake2b(html, digest_size=16).hexdigest():
                return None
            entry = Entry(html, list(meta["anchors"]), dict(meta["links"]), list(meta["search"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, or not what this module writes: built again
        self.used.add(key)
        self.hits += 1
        return entry

    def put(self, key: str, entry: Entry) -> None:
        head = json.dumps({"digest": hashlib.blake2b(entry.html, digest_size=16).hexdigest(),
                           "anchors": sorted(entry.anchors), "links": entry.links, "search": entry.search})
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(head.encode() + b"\n" + entry.html)
            os.replace(tmp, self.folder / f"{key}.page")
            self.stored += 1
        except OSError:
            pass  # a cache that cannot be written is only slower

    def prune(self) -> None:
        """Remove the pages this build did not use (older frames, older banners)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.removesuffix(".page") not in self.used:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass


_PLUGINS = {"search"}


def usable(options: dict[str, Any]) -> bool:
    """Whether every input of a page is known: off for hooks (code of the project's own) and plugins
    whose code is not in the digest."""
    if not ENABLED or options.get("hooks"):
        return False
    plugins = options.get("plugins") or []
    names = plugins if isinstance(plugins, list) else list(plugins)
    return all(isinstance(n, (str, dict)) and (next(iter(n)) if isinstance(n, dict) else n) in _PLUGINS
               for n in names)
