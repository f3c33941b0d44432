"""Split from builder.py.
"""

from __future__ import annotations

import logging
import os
import tempfile
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2

from . import frame_memo, search_sections
from .material_steps import language_without_config, strip_only_where_marked
from .linking import own_folder, read_kept

MKDOCS_TESTED = ("1.6.",)  # MkDocs versions whose internals the caches were checked against
CACHES_ENABLED = os.environ.get("NOTICES_NO_MKDOCS_CACHE", "") in ("", "0")
class _Bytecode(jinja2.BytecodeCache):
    """Compiled templates by Jinja's key (template name and file); each checked against its source's
    checksum by Jinja when loaded, so an edited template is recompiled, never served stale."""

    def __init__(self) -> None:
        self.memory: dict[str, bytes] = {}
        self.directory: Path | None = None
        self.hits = 0
        self.misses = 0

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.memory.get(bucket.key)
        if data is None and self.directory is not None:
            try:
                data = read_kept(self.directory / f"{bucket.key}.cache")
            except OSError:
                data = None
        if data is not None:
            bucket.bytecode_from_string(data)  # resets the bucket if the magic or checksum differ
        if bucket.code is None:
            self.misses += 1
        else:
            self.hits += 1
            self.memory[bucket.key] = data  # type: ignore[assignment]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        if len(self.memory) >= 2000:  # many projects in one process (tests): start afresh
            self.memory.clear()
        self.memory[bucket.key] = data
        if self.directory is not None:
            try:
                if not own_folder(self.directory):
                    return
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.directory / f"{bucket.key}.cache")
            except OSError:
                pass  # a cache that cannot be written is only slower
_BYTECODE = _Bytecode()
_LISTINGS: dict[tuple, tuple[str, ...]] = {}
_ENVS: dict[tuple, jinja2.Environment] = {}
_STATS = {"listings_made": 0, "listings_reused": 0, "envs_reused": 0, "parts_reused": 0,
          "converters_reused": 0, "raw_parts": 0,
          "fronts_read_once": 0}
def preload() -> None:
    """Import what a build uses, so that worker processes forked from here start with it."""
    import importlib

    for module in ("mkdocs.commands.build", "mkdocs.config.defaults", "material.plugins.search.plugin"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
def shared_bytecode_cache() -> jinja2.BytecodeCache:
    """The bytecode cache of this process, for other Jinja environments (the notices' templates)."""
    return _BYTECODE
def set_bytecode_dir(path: Path | None) -> None:
    """Also keep the compiled theme templates in `path`, so that a new process starts warm."""
    _BYTECODE.directory = path
def forget_compiled() -> None:
    """Compile every template afresh: none kept in memory, none read from disk until set again."""
    _BYTECODE.memory.clear()
    _BYTECODE.directory = None
def cache_stats() -> dict[str, int]:
    return {"bytecode_hits": _BYTECODE.hits, "bytecode_misses": _BYTECODE.misses, **_STATS, **frame_memo.STATS,
            **search_sections.STATS}
def clear_caches() -> None:
    _THEMES.clear()
    _BYTECODE.memory.clear()
    _LISTINGS.clear()
    _ENVS.clear()
    from . import parts  # imports this module: here, not at the top

    parts.clear_shared()
def _theme_filter_code() -> types.CodeType | None:
    """The code of the filter that `Files.add_files_from_theme` hands to `list_templates`."""
    from mkdocs.structure.files import Files

    method = getattr(Files, "add_files_from_theme", None)
    code = getattr(method, "__code__", None)
    found = [c for c in (code.co_consts if code else ()) if isinstance(c, types.CodeType) and c.co_name == "filter"]
    if len(found) == 1 and found[0].co_freevars == ("config",):
        return found[0]
    return None
def caches_supported() -> bool:
    import mkdocs
    from mkdocs.theme import Theme

    return (mkdocs.__version__.startswith(MKDOCS_TESTED) and callable(getattr(Theme, "get_env", None))
            and _theme_filter_code() is not None)
def _theme_listing(env: jinja2.Environment, extensions: Any, filter_func: Callable[[str], bool]) -> list[str]:
    """`env.list_templates(extensions, filter_func)` for the theme filter, without walking into folders
    whose name starts with a dot: the filter drops every path with such a part ('.*', '*/.*'), and
    Material's `.icons` holds most of its ~14,500 files. Same list (tested), a fraction of the time."""
    loader = env.loader
    if not isinstance(loader, jinja2.FileSystemLoader):
        return env.list_templates(extensions=extensions, filter_func=filter_func)
    found: set[str] = set()
    for searchpath in loader.searchpath:
        for dirpath, dirnames, filenames in os.walk(searchpath, followlinks=loader.followlinks):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                name = os.path.join(dirpath, filename)[len(searchpath):].strip(os.path.sep).replace(os.path.sep, "/")
                found.add(name[2:] if name[:2] == "./" else name)
    names = sorted(found)
    if extensions is not None:
        names = [n for n in names if "." in n and n.rsplit(".", 1)[1] in extensions]
    return [n for n in names if filter_func(n)]
_THEMES: list = []
@contextmanager
def _themes_found_once() -> Iterator[None]:
    """MkDocs looks up the installed themes (entry points: slow) twice per config, clearing its own
    cache in between (Theme._load_theme_config). They do not change while a process runs."""
    import mkdocs.utils

    original = mkdocs.utils.get_themes
    if not CACHES_ENABLED or not caches_supported() or not hasattr(original, "cache_clear"):
        yield
        return
    if not _THEMES:
        _THEMES.append(original())

    class Found:
        def __call__(self) -> Any:
            return _THEMES[0]

        def cache_clear(self) -> None:
            pass

    mkdocs.utils.get_themes = Found()  # type: ignore[assignment]
    try:
        yield
    finally:
        mkdocs.utils.get_themes = original
def _custom_dir_stamp(folder: str | None) -> tuple:
    """Every file under a theme's custom_dir with its size and modification time (() without one)."""
    if not folder:
        return ()
    out = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            out.append((path, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))
def _warm(config: Any) -> None:
    """Give this build's theme the shared caches (see above)."""
    if not CACHES_ENABLED or not caches_supported():
        return
    import mkdocs.utils

    theme = config.theme
    make_env = type(theme).get_env
    filter_code = _theme_filter_code()

    # The Environment itself can serve every build with the same theme folders and language, unless a
    # plugin changes it per build (on_env). A custom_dir's templates may be edited, added or removed while
    # a process runs (MkDocs' Environment does not reload templates): its files' names, sizes and times
    # are part of both keys, so an edit gets a new Environment and listing (a few files: cheap to stat).
    reuse = not config.plugins.events.get("env")
    custom = _custom_dir_stamp(getattr(theme, "custom_dir", None))
    # Templates cache their imported modules (Material's search plugin reads its language from one), so
    # an Environment serves only sites in the same theme language and direction, not just the same locale.
    env_key = (tuple(theme.dirs), str(theme.locale), repr(theme.get("language")), repr(theme.get("direction")),
               frozenset(theme.static_templates), custom)

    def get_env() -> jinja2.Environment:
        if reuse and env_key in _ENVS:
            _STATS["envs_reused"] += 1
            return _ENVS[env_key]
        env = make_env(theme)
        env.bytecode_cache = _BYTECODE
        # A page asks for about thirty templates; Jinja's LRU cache (400) takes a lock and moves the
        # name in a queue on every hit. A theme has fewer templates than that: a plain dict holds them.
        env.cache = {}
        env.globals["notices_memo"] = frame_memo.memo  # templates/theme/main.html; reset per site
        language_without_config(env)
        plain = env.list_templates

        def list_templates(extensions: Any = None, filter_func: Callable[[str], bool] | None = None) -> list[str]:
            if filter_func is None or getattr(filter_func, "__code__", None) is not filter_code:
                return plain(extensions=extensions, filter_func=filter_func)
            key = (tuple(theme.dirs), frozenset(theme.static_templates), tuple(mkdocs.utils.markdown_extensions),
                   tuple(extensions) if extensions else None, custom)
            listing = _LISTINGS.get(key)
            if listing is None:
                listing = _LISTINGS[key] = tuple(_theme_listing(env, extensions, filter_func))
                _STATS["listings_made"] += 1
            else:
                _STATS["listings_reused"] += 1
            return list(listing)

        env.list_templates = list_templates  # type: ignore[method-assign]
        if reuse:
            _ENVS[env_key] = env
        return env

    theme.get_env = get_env


# --------------------------------------------------------------------------------------------------
# Pages built once and kept (generator/site/page_cache.py). MkDocs internals used here: a build with
# `dirty=True` neither converts nor renders a page whose `file.is_modified()` is false (set on the
# page's own File, for the kept pages only; every other file of a staged site is new, so modified),
# and `page.present_anchor_ids` / `page.links_to_anchors` are what MkDocs' check of anchor links reads.
_DIRTY_WARNING = "A 'dirty' build is being performed"


class _NotDirty(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DIRTY_WARNING)


def _search_index(config: Any) -> Any:
    """Material's search index of this build (its `entries`, in the order pages are built), if found."""
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.search"):
            index = getattr(plugin, "search_index", None)
            return index if isinstance(getattr(index, "entries", None), list) else None
    return None


def kept_pages_plugin(cache: Any, frame: str, pages: dict[str, Any], never: set[str], warnings: list[str]) -> Any:
    """A plugin that serves the pages of `pages` ({src: builder.Page}) kept in `cache` under this frame,
    with their entries of the search index, and keeps the pages this build makes that may be (not in
    `never`). `warnings` is the list the build's warnings are collected in: a build that logged any
    keeps nothing. `serve(config)` says which pages it will serve, before MkDocs is handed the pages,
    so that theirs need no Markdown."""
    from mkdocs.plugins import BasePlugin, event_priority

    from .page_cache import Entry, page_key, search_key

    build_log = logging.getLogger("mkdocs.commands.build")

    class Kept(BasePlugin):
        def __init__(self) -> None:
            self.served: dict[str, tuple[Any, Entry]] = {}  # src → (its File, the kept page)
            self.made: dict[str, Entry] = {}
            self.quiet = _NotDirty()
            self.warned = len(warnings)
            self.order: list[str] = []  # the pages, in the order MkDocs builds them
            self.next = 0  # the first page of `order` not yet in the search index
            self.mark = 0  # how many entries the search index had after the last page built
            self.index: Any = None
            self.found: dict[str, Entry] | None = None  # the pages served, by `serve`
            self.digests: dict[str, str] = {}
            self.files: dict[str, Any] = {}
            self.linked: list[Any] = []
            self.searched: dict[str, list[dict]] = {}  # search entries made by this build, by search_key

        def on_pre_build(self, config):  # noqa: ANN001
            build_log.addFilter(self.quiet)

        def serve(self, config) -> set[str]:  # noqa: ANN001
            """The pages found in the cache (once the search index exists: it takes their entries)."""
            if self.found is None:
                self.found = {}
                self.index = _search_index(config)
                if self.index is not None:
                    self._searched_once(self.index)
                    strip_only_where_marked(config)
                searched = self.index is not None or not any(
                    type(p).__module__.startswith("material.plugins.search") for p in config.plugins.values())
                for src, page in pages.items():
                    if src not in never and searched:
                        self.digests[src] = cache.digest_of(page)
                        entry = cache.get(page_key(frame, src, self.digests[src]))
                        if entry is not None:
                            self.found[src] = entry
            return set(self.found)

        def _searched_once(self, index: Any) -> None:
            """Material's search parses each page's HTML into its entries: a page whose HTML, address,
            title, front matter and headings are those of an earlier build gets that build's entries."""
            add = search_sections.faster(index, index.add_entry_from_context)

            def add_entry_from_context(page):  # noqa: ANN001, ANN202
                key = search_key(frame, page)
                found = cache.search_of(key) if key is not None else None
                if found is not None:
                    index.entries.extend(found)
                    return
                before = len(index.entries)
                add(page)
                if key is not None:
                    self.searched[key] = [dict(e) for e in index.entries[before:]]

            index.add_entry_from_context = add_entry_from_context

        def on_files(self, files, config):  # noqa: ANN001
            build_log.removeFilter(self.quiet)
            found = self.found if self.found is not None else {}  # not asked: nothing is served
            for file in files:
                # The theme's own files: linked to the copies kept once for every site (linking.Store).
                if (cache.static is not None and file.abs_src_path and not file.generated_by
                        and not file.is_documentation_page()):
                    file.is_modified = lambda: False
                    self.linked.append(file)
            for file in files.documentation_pages():
                src = file.src_uri
                self.order.append(src)
                self.files[src] = file
                if src in found:
                    file.is_modified = lambda: False  # neither read nor rendered: written from the cache
                    self.served[src] = (file, found[src])
            return files

        def on_nav(self, nav, config, files):  # noqa: ANN001
            for file, entry in self.served.values():
                if file.page is not None:
                    file.page.present_anchor_ids = set(entry.anchors)
                    file.page.links_to_anchors = {target: dict(links) for uri, links in entry.links.items()
                                                  if (target := files.get_file_from_path(uri)) is not None}
            return nav

        def _index_served(self, upto: int) -> int:
            """Put the search entries of the served pages before `upto` in `order` where MkDocs would have."""
            added = [e for src in self.order[self.next:upto] if src in self.served for e in self.served[src][1].search]
            if self.index is not None and added:
                self.index.entries[self.mark:self.mark] = [dict(e) for e in added]
            self.next = upto + 1
            return len(added)

        @event_priority(-100)  # after the search plugin has indexed the page
        def on_page_context(self, context, page, config, nav):  # noqa: ANN001
            src = page.file.src_uri
            at = self.order.index(src) if src in self.order[self.next:] else len(self.order)
            self.mark += self._index_served(at)
            entries = self.index.entries[self.mark:] if self.index is not None else []
            self.mark = len(self.index.entries) if self.index is not None else 0
            if src in self.digests:
                self.made[src] = Entry(b"", [], {}, [dict(e) for e in entries])
            return context

        @event_priority(-100)
        def on_post_page(self, output, page, config):  # noqa: ANN001
            src = page.file.src_uri
            made = self.made.pop(src, None)
            if made is not None and output.strip() and page.present_anchor_ids is not None:
                links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()}
                self.made[src] = Entry(output.encode("utf-8", errors="xmlcharrefreplace"),
                                       sorted(page.present_anchor_ids), links, made.search)
            return output

        @event_priority(100)  # before the search plugin writes its index
        def on_post_build(self, config):  # noqa: ANN001
            self._index_served(len(self.order))
            for file, entry in self.served.values():
                cache.place(entry, Path(file.abs_dest_path))
            for file in self.linked:
                cache.static.place(file.abs_src_path, Path(file.abs_dest_path))
            if len(warnings) == self.warned:
                for key, entries in self.searched.items():
                    cache.put_search(key, entries)
                for src, entry in self.made.items():
                    if entry.html:
                        cache.put(page_key(frame, src, self.digests[src]), entry,
                                  Path(self.files[src].abs_dest_path) if src in self.files else None)

    return Kept()


LUNR = "assets/javascripts/lunr/"

def _unused_search_files(config: Any, uris: list[str]) -> set[str]:
    """The theme's search-language files (~35, 1 MB) that this site's search never loads.

    Material's search worker loads, for its languages: nothing more for English alone; otherwise
    min/lunr.stemmer.support.min.js, min/lunr.<lang>.min.js for each language but English,
    min/lunr.multi.min.js for more than one, tinyseg.js for ja and wordcut.js for hi and th.
    Its languages are the search plugin's `lang` setting, set by the plugin when the config is loaded.
    If that setting cannot be found, every file is kept (tests/test_browser.py searches each site)."""
    langs = None
    searched = False
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.search"):
            searched = True
            langs = getattr(plugin.config, "lang", None)
    if not searched:  # a site without search (SiteSpec.search) needs none of it, nor the search worker
        return {uri for uri in uris if uri.startswith(LUNR) or uri.startswith("assets/javascripts/workers/search.")}
    if not langs or not all(isinstance(lang, str) for lang in langs):
        return set()
    needed = {f"{LUNR}min/lunr.{lang}.min.js" for lang in langs if lang != "en"}
    needed |= {f"{LUNR}tinyseg.js" for lang in langs if lang == "ja"}
    needed |= {f"{LUNR}wordcut.js" for lang in langs if lang in ("hi", "th")}
    if len(langs) > 1:
        needed.add(f"{LUNR}min/lunr.multi.min.js")
    if needed:
        needed.add(f"{LUNR}min/lunr.stemmer.support.min.js")
    return {uri for uri in uris if uri.startswith(LUNR) and uri not in needed}
