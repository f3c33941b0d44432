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

The pages built again (those of the navigation, whose HTML feeds the embeds) keep their entries of the
site's search index in index.json too, under a key of everything Material's search reads of a page
(`search_key`): the same HTML gets the same entries without being parsed again.

After a clinic's site is staged, the pages its build did not use are removed, so the folder holds one
site's worth of pages. An entry that cannot be read, or whose bytes do not match their digest, is
built again. Imports nothing from MkDocs: the site builder asks it (generator/site/theme_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..reads import MISSING
from .installed import installed_versions
from .linking import KeptBytes, Store, link, read_kept, write

FORMAT = 3
ENABLED = os.environ.get("NOTICES_NO_PAGE_CACHE", "") in ("", "0")
_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "markupsafe", "pygments",
             "jieba")  # jieba: Material's search splits Chinese text with it where it is installed
# The modules whose code shapes what MkDocs writes for a page (the plugins, the reuse of parts).
_MODULES = ("builder.py", "parts.py", "theme_cache.py", "page_cache.py", "one_markdown.py", "frame_memo.py",
            "search_sections.py", "material_steps.py")
_SOFTWARE: list[str] = []


def _software() -> str:
    if not _SOFTWARE:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{FORMAT}\0{sys.version}\0".encode())
        versions = installed_versions(_PACKAGES)
        for name in _PACKAGES:
            h.update(f"{name}={'none' if versions[name] == MISSING else versions[name]}\0".encode())
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
            rel = os.path.relpath(path, folder).encode("utf-8", "surrogateescape")
            if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read: its kind stands for it
                h.update(rel + b"\0not a file\0")
                continue
            with open(path, "rb") as fh:
                h.update(rel + b"\0" + fh.read() + b"\0")
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


def markdown_digest(markdown: str) -> str:
    return hashlib.blake2b(markdown.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def search_key(frame: str, page: Any) -> str | None:
    """The key of a page's search entries: everything Material's search reads of a built page (its
    HTML, address, title, front matter and headings) in this frame; None where one is not plain data."""
    def toc(items: Any) -> list:
        return [[item.title, item.id, item.level, item.url, toc(item.children)] for item in items]

    try:
        head = json.dumps([frame, page.file.src_uri, page.url, str(page.title), page.meta, toc(page.toc.items)],
                          sort_keys=True, ensure_ascii=False)
        h = hashlib.blake2b(digest_size=20)
        h.update(head.encode("utf-8", "surrogatepass") + b"\0" + str(page.content).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, AttributeError, RecursionError):
        return None
    return h.hexdigest()


def _entries_digest(entries: Any) -> str:
    return hashlib.blake2b(json.dumps(entries, sort_keys=True).encode(), digest_size=16).hexdigest()


def page_key(frame: str, src_uri: str, digest: str) -> str:
    """The key of a page's HTML: its frame, its place and the digest of its Markdown."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{frame}\0{src_uri}\0{digest}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    html: bytes  # what MkDocs wrote for the page
    anchors: list[str]  # the ids in the page, for MkDocs' check of links to its anchors
    links: dict[str, dict[str, str]]  # the page's own links to anchors: {target page: {anchor: link}}
    search: list[dict]  # the page's entries in the site's search index
    path: Path | None = None  # the kept file, when it came from the cache


class PageCache:
    """One clinic's kept pages: each page's HTML in <key>.html and what MkDocs needs to know of it in
    index.json, with the digests of keyed pages' Markdown (`digest_of`). Not shared between processes:
    one clinic is built by one worker.

    A kept page goes into the site as a hard link to its file here, and a page MkDocs has just written is
    kept the same way (generator/site/linking.py); a file changed by anyone else no longer matches its
    digest, and is built again."""

    def __init__(self, folder: Path, static: Path | None = None) -> None:
        self.folder = folder
        self.static = Store(static) if static is not None else None  # where the theme's files are kept
        self.used: set[str] = set()
        self.hits = 0
        self.stored = 0
        self.rendered = 0  # keyed pages whose Markdown had to be written
        self.search_hits = 0  # pages whose search entries were those of an earlier build
        self._index: dict[str, Any] | None = None
        self._digests_used: set[str] = set()
        self._search_used: set[str] = set()
        self._changed = False

    def _own_folder(self) -> bool:
        """Whether the folder is a real one (or none yet) and no link: one that is a link is removed, so
        that nothing is read, written or deleted where it points."""
        if self.folder.parent.is_symlink():
            return False  # .cache/pages itself: left to whoever made it, and not used
        if self.folder.is_symlink():
            try:
                os.unlink(self.folder)
            except OSError:
                return False
        return True

    def _load(self) -> dict[str, Any]:
        if self._index is None and not self._own_folder():
            self._index = {"pages": {}, "markdown": {}, "search": {}}
        if self._index is None:
            index: dict[str, Any] = {"pages": {}, "markdown": {}, "search": {}}
            try:
                data = json.loads(read_kept(self.folder / INDEX))
                if (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("pages"), dict)
                        and isinstance(data.get("markdown"), dict)
                        and all(isinstance(v, str) for v in data["markdown"].values())
                        and isinstance(data.get("search", {}), dict)):
                    index = {"pages": data["pages"], "markdown": data["markdown"], "search": data.get("search", {})}
            except (OSError, ValueError, RecursionError):
                pass  # none yet, or not what this module writes: every page is built
            self._index = index
        return self._index

    def digest_of(self, page: Any) -> str:
        """The digest of a page's Markdown: for a page with a key, as recorded when its Markdown was last
        written, without writing it again; otherwise (or not recorded) from its Markdown."""
        if page.key is None:
            return markdown_digest(page.markdown)
        known = self._load()["markdown"]
        self._digests_used.add(page.key)
        digest = known.get(page.key)
        if digest is None:
            digest = known[page.key] = markdown_digest(page.markdown)
            self.rendered += 1
            self._changed = True
        return digest

    def get(self, key: str) -> Entry | None:
        meta = self._load()["pages"].get(key)
        path = self.folder / f"{key}.html"
        try:
            html = read_kept(path)
            if meta.get("digest") != hashlib.blake2b(html, digest_size=16).hexdigest():
                return None
            anchors, links, search = meta["anchors"], meta["links"], meta["search"]
            if not (isinstance(anchors, list) and all(isinstance(a, str) for a in anchors)
                    and isinstance(links, dict) and all(isinstance(v, dict) and all(
                        isinstance(a, str) and isinstance(b, str) for a, b in v.items()) for v in links.values())
                    and isinstance(search, list) and all(isinstance(e, dict) for e in search)):
                return None  # not what this module writes
            entry = Entry(html, list(anchors), dict(links), list(search), path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None  # missing, changed, or not what this module writes: built again
        self.used.add(key)
        self.hits += 1
        return entry

    def put(self, key: str, entry: Entry, written: Path | None = None) -> None:
        """Keep a page: by a link to `written`, the file MkDocs wrote for it, where it holds these bytes."""
        self.used.add(key)
        if not self._own_folder():
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{key}.html"
            linked = written is not None and written.read_bytes() == entry.html
            # A link is made whole or not at all: straight to its name, unless a file has that name.
            if not (linked and not final.exists() and link(written, final)):
                tmp = self.folder / f".tmp-{key}"
                tmp.unlink(missing_ok=True)
                if not (linked and link(written, tmp)):
                    tmp.write_bytes(entry.html)
                os.replace(tmp, final)
        except OSError:
            return  # a cache that cannot be written is only slower
        self._load()["pages"][key] = {"digest": hashlib.blake2b(entry.html, digest_size=16).hexdigest(),
                                      "anchors": sorted(entry.anchors), "links": entry.links, "search": entry.search}
        self._changed = True
        self.stored += 1

    def search_of(self, key: str) -> list[dict] | None:
        """A page's entries in the search index, as the search plugin made them from the same HTML."""
        found = self._load()["search"].get(key)
        try:
            entries = found["entries"]
            if (found["digest"] != _entries_digest(entries)
                    or not all(isinstance(e, dict) for e in entries)):  # changed by someone: made again
                return None
        except (TypeError, KeyError, ValueError, RecursionError):
            return None
        self._search_used.add(key)
        self.search_hits += 1
        return [dict(e) for e in entries]

    def put_search(self, key: str, entries: list[dict]) -> None:
        self._load()["search"][key] = {"digest": _entries_digest(entries), "entries": [dict(e) for e in entries]}
        self._search_used.add(key)
        self._changed = True

    @staticmethod
    def place(entry: Entry, dest: Path) -> None:
        """Put a kept page into a site being built: linked, or written where a link cannot be made."""
        write(dest, KeptBytes(entry.html, entry.path) if entry.path is not None else entry.html)

    def prune(self) -> None:
        """Remove the pages this build did not use (older frames, older banners); record the rest."""
        if not self._own_folder():
            return
        index = self._load()
        pages = {k: v for k, v in sorted(index["pages"].items()) if k in self.used}
        markdown = {k: v for k, v in sorted(index["markdown"].items()) if k in self._digests_used}
        search = {k: v for k, v in sorted(index["search"].items()) if k in self._search_used}
        if (self._changed or pages.keys() != index["pages"].keys() or markdown.keys() != index["markdown"].keys()
                or search.keys() != index["search"].keys()):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(json.dumps({"format": FORMAT, "pages": pages, "markdown": markdown,
                                        "search": search}).encode())
                os.replace(tmp, self.folder / INDEX)
            except OSError:
                pass
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name != INDEX and name.removesuffix(".html") not in pages:
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass


_PLUGINS = {"search"}
INDEX = "index.json"


def usable(options: dict[str, Any]) -> bool:
    """Whether every input of a page is known: off for hooks (code of the project's own) and plugins
    whose code is not in the digest."""
    if not ENABLED or options.get("hooks"):
        return False
    plugins = options.get("plugins") or []
    names = plugins if isinstance(plugins, list) else list(plugins)
    return all(isinstance(n, (str, dict)) and (next(iter(n)) if isinstance(n, dict) else n) in _PLUGINS
               for n in names)
