"""Pages → one static Material for MkDocs site. The only module that imports MkDocs.

The rest of the pipeline hands over a `SiteSpec`: plain pages and settings, already escaped. The
MkDocs config is built as a Python dict from the root `mkdocs.yml` (our own file) plus the clinic's
settings, so clinic text never passes through MkDocs' YAML loader, which can construct objects.

Publishing a site is all or nothing: it is built into a temporary folder beside its destination and
swapped in only once the build has succeeded. `stage_site` and `swap_in` split those two steps, so that
a run of many clinics can build every site first and swap them all in only once all have succeeded.

Speed: every build in a process shares two caches, the only places this project reaches into MkDocs'
internals (tests/test_mkdocs_internals.py fails loudly if MkDocs changes under them):
- the Jinja bytecode of Material's templates (MkDocs makes a new Environment for every build, which
  recompiled every template each time), kept in memory and, if `set_bytecode_dir` was called, on disk
  so that a new process starts warm;
- the theme's file listing (about 14,500 files, mostly icons), which MkDocs walks and filters per build.
Neither changes what is built: a cached and an uncached build are byte-identical (tested).

Size: of the theme's ~35 search-language files (1 MB per site), only those the site's search loads are
shipped (`_unused_search_files`, which reads Material's search plugin's `lang` setting from the config).
"""

from __future__ import annotations

import copy
import html
import io
import logging
import os
import re
import shutil
import tempfile
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
import yaml
from markupsafe import Markup

from .errors import NoticesError
from .logo import Logo

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise for our users


@dataclass(frozen=True)
class Page:
    path: str  # Markdown source path inside the site, like "privacy/index.md"
    markdown: str
    nav_title: str | None = None  # in the navigation, in order, when set


@dataclass(frozen=True)
class SiteSpec:
    name: str
    lang: str
    pages: tuple[Page, ...]
    primary_color: str
    link_color: str
    header_text_color: str
    site_url: str | None = None
    logo: Logo | None = None
    extra_files: dict[str, bytes] = field(default_factory=dict)  # copied as they are, like versions.json
    epoch: int = 0  # SOURCE_DATE_EPOCH: fixes the only dates MkDocs writes (the sitemap's)
    children: dict[str, "SiteSpec"] = field(default_factory=dict)  # sites built inside this one, like es/
    # Files made from the HTML of some pages, as the builder converted their Markdown (the embeds reuse
    # the notice pages' HTML rather than converting each notice again): `derive` is called with
    # {path: HTML of the page's content} for the paths in `capture`, and returns {file name: bytes}.
    capture: tuple[str, ...] = ()
    derive: Callable[[dict[str, str]], dict[str, bytes]] | None = None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_BASES: dict[tuple[str, bytes], dict] = {}


def base_config(mkdocs_yml: Path) -> dict:
    try:
        raw = mkdocs_yml.read_bytes()
        key = (str(mkdocs_yml), raw)
        if key not in _BASES:  # parsed once per process for the same bytes
            _BASES.clear()
            _BASES[key] = _with_custom_dir(
                yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}, mkdocs_yml)
        return copy.deepcopy(_BASES[key])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NoticesError(f"{mkdocs_yml}: cannot read the shared MkDocs base: {exc}") from exc


def custom_dir(mkdocs_yml: Path, config: dict) -> Path | None:
    """The theme's `custom_dir` (Material's overrides), resolved against mkdocs.yml's folder as MkDocs
    itself does: the site is built from a config in a staging folder, where a relative path would
    resolve somewhere else."""
    theme = config.get("theme")
    value = theme.get("custom_dir") if isinstance(theme, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise NoticesError(f"{mkdocs_yml}: theme.custom_dir must be a folder's path")
    path = (mkdocs_yml.parent / value).resolve()
    if not path.is_dir():
        raise NoticesError(f"{mkdocs_yml}: theme.custom_dir: {value} is not a folder (create it, or remove the key)")
    return path


def _with_custom_dir(config: dict, mkdocs_yml: Path) -> dict:
    folder = custom_dir(mkdocs_yml, config)
    if folder is not None:
        config["theme"] = {**config["theme"], "custom_dir": str(folder)}
    return config


def brand_css(spec: SiteSpec) -> str:
    # The colours were validated as #rrggbb by the model, so they are safe to place in CSS.
    return (
        ":root, [data-md-color-scheme=default] {\n"
        f"  --md-primary-fg-color: {spec.primary_color};\n"
        f"  --md-primary-fg-color--light: {spec.primary_color};\n"
        f"  --md-primary-fg-color--dark: {spec.primary_color};\n"
        f"  --md-primary-bg-color: {spec.header_text_color};\n"
        f"  --md-primary-bg-color--light: {spec.header_text_color};\n"
        f"  --md-typeset-a-color: {spec.link_color};\n"
        f"  --md-accent-fg-color: {spec.link_color};\n"
        "}\n"
    )


def build_site(base: dict, assets_dir: Path, spec: SiteSpec, dest: Path) -> list[str]:
    """Build `spec` (and its children, each in its own folder) into `dest` atomically.
    Returns MkDocs' warnings; raises NoticesError on failure."""
    dest = dest.resolve()  # MkDocs resolves relative paths against the config file's folder
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".build-{dest.name}-", dir=dest.parent))
    try:
        warnings = stage_site(base, assets_dir, spec, work)
        swap_in(work / "site", dest)
        return warnings
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stage_site(base: dict, assets_dir: Path, spec: SiteSpec, work: Path) -> list[str]:
    """Build `spec` and its children into `work`/site, using `work` for scratch files; touch nothing
    else. `swap_in` publishes the result. Returns MkDocs' warnings; raises NoticesError on failure."""
    work = work.resolve()
    warnings = _build_into(base, assets_dir, spec, work / "site", work / "src")
    for name, child in sorted(spec.children.items()):
        warnings += _build_into(base, assets_dir, child, work / "site" / name, work / f"src-{name}")
    for scratch in [work / "src", *(work / f"src-{name}" for name in spec.children)]:
        shutil.rmtree(scratch, ignore_errors=True)
    return warnings


def swap_in(staged: Path, dest: Path) -> None:
    """Replace `dest` (if any) with the built site `staged`, whole."""
    _swap(staged, dest.resolve())


def _build_into(base: dict, assets_dir: Path, spec: SiteSpec, out: Path, work: Path) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    work.mkdir(parents=True)
    docs = work / "docs"
    docs.mkdir()
    sources: dict[str, str | bytes] = {page.path: page.markdown for page in spec.pages}
    sources["assets/brand.css"] = brand_css(spec).encode()
    own = sorted(p for p in assets_dir.glob("*") if p.suffix in (".css", ".js"))
    for asset in own:
        sources[f"assets/{asset.name}"] = asset.read_bytes()
    base = copy.deepcopy(base)  # MkDocs validation consumes parts of the dicts it is given
    theme = dict(base.get("theme", {}))
    theme["language"] = spec.lang
    if spec.logo:
        logo = f"assets/logo{spec.logo.suffix}"
        sources[logo] = spec.logo.data  # checked, and cleaned if SVG (generator/logo.py)
        theme["logo"] = logo
        theme["favicon"] = logo
    options = dict(base)
    options.update(
        # Material prints site_name unescaped in places (even inside attributes) and with `| e` in
        # others: escaped once here, and marked as Markup so that `| e` leaves it as it is.
        site_name=Markup(html.escape(spec.name, quote=True)),
        site_url=spec.site_url,
        docs_dir=str(docs),
        site_dir=str(out),
        theme=theme,
        nav=[{p.nav_title: p.path} for p in spec.pages if p.nav_title],
        extra_css=["assets/brand.css"] + [f"assets/{a.name}" for a in own if a.suffix == ".css"],
        extra_javascript=[f"assets/{a.name}" for a in own if a.suffix == ".js"],
    )
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        with _source_date_epoch(spec.epoch), _themes_found_once():
            config = _config(work, options)
            config.plugins["clinic-notices-robots"] = _robots_plugin()
            captured: dict[str, str] = {}
            config.plugins["clinic-notices-sources"] = _sources_plugin(sources, spec.capture, captured)
            _warm(config)
            build(config)
    except (MkDocsException, OSError) as exc:
        raise NoticesError(f"building {spec.name!r}: {exc}") from exc
    finally:
        logger.removeHandler(collect)
    derived = spec.derive(captured) if spec.derive else {}
    for name, data in sorted({**spec.extra_files, **derived}.items()):
        _write(out / name, data)
    return collect.messages


def _config(work: Path, options: dict):
    """MkDocs' config from a dict, validated; its errors become ours, with MkDocs' own words."""
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig(config_file_path=str(work / "mkdocs.yml"))
    config.load_file(io.BytesIO(b"{}"))
    config.load_dict(options)
    errors, _warnings = config.validate()
    if errors:
        raise NoticesError("the site configuration is invalid: "
                           + "; ".join(f"{key}: {err}" for key, err in errors)
                           + " (check mkdocs.yml and the clinic's branding)")
    return config


def _robots_plugin():
    """A page whose front matter says `robots: noindex` gets the meta tag that keeps it out of search."""
    from mkdocs.plugins import BasePlugin

    class Robots(BasePlugin):
        def on_post_page(self, output: str, page, config):  # noqa: ANN001
            value = page.meta.get("robots")
            if value == "noindex":
                return output.replace("<head>", '<head>\n    <meta name="robots" content="noindex">', 1)
            return output

    return Robots()


def _sources_plugin(sources: dict[str, str | bytes], capture: tuple[str, ...], captured: dict[str, str]):
    """The site's pages and assets, handed to MkDocs from memory, in the order MkDocs lists a docs folder;
    the converted HTML of the pages in `capture` is kept in `captured`. A marked part already converted
    on an earlier page of the site is not converted again (see PART_START)."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import File, Files, file_sort_key

    class Sources(BasePlugin):
        def __init__(self) -> None:
            self.parts: dict[str, _Part | None] = {}  # a part's Markdown → its HTML and headings (None: unusable)
            # page → (its parts' Markdown, whether each is reused, the page's whole Markdown)
            self.pending: dict[str, tuple[list[str], list[bool], str]] = {}

        def on_files(self, files, config):  # noqa: ANN001
            own = sorted((File.generated(config, uri, content=data) for uri, data in sources.items()), key=file_sort_key)
            unused = _unused_search_files(config, [f.src_uri for f in files])
            return Files(own + [f for f in files if f.src_uri not in sources and f.src_uri not in unused])

        def on_page_markdown(self, markdown, page, config, files):  # noqa: ANN001
            spans = marked_parts(markdown)
            if not spans:
                return markdown
            parts = [markdown[start:end] for start, end in spans]
            reused = [REUSE_PARTS and self.parts.get(part) is not None for part in parts]
            self.pending[page.file.src_uri] = (parts, reused, markdown)
            if not any(reused):
                return markdown
            out, last = [], 0
            for k, (start, end) in enumerate(spans):
                out.append(markdown[last:start])
                out.append(f"\n\n{_PLACEHOLDER}{k}\n\n" if reused[k] else markdown[start:end])
                last = end
            return "".join(out) + markdown[last:]

        def on_page_content(self, html, page, config, files):  # noqa: ANN001
            src = page.file.src_uri
            if src in self.pending:
                parts, reused, original = self.pending.pop(src)
                spliced = _splice_all(html, page, parts, reused, self.parts)
                if spliced is None:  # here a part's headings would be numbered or nested differently
                    page.markdown = original
                    page.render(config, files)  # so convert the page whole, as MkDocs would have
                    spliced = page.content
                    reused = [False] * len(parts)
                for k, span in enumerate(marked_parts(spliced)):
                    if not reused[k] and parts[k] not in self.parts:
                        self.parts[parts[k]] = _part_of(spliced[span[0]:span[1]], page.toc)
                html = spliced
            if src in capture:
                captured[src] = html
            return html

    return Sources()


# Parts of a page between these markers are converted once per site: a later page with a part of the
# same Markdown gets the first one's HTML and headings (table of contents). The notice pages mark each
# section of a notice's text: a notice's page and the page of the version it shows have them all in
# common, and successive versions most of them. The embeds take a notice's HTML from its page too.
# The result is byte-identical to converting every page whole (tested); where it might not be (a
# relative link, a heading whose id or nesting depends on the rest of the page) the page is converted
# whole.
PART_START, PART_END = "<!-- part -->", "<!-- /part -->"
REUSE_PARTS = True
_PLACEHOLDER = "CLINICNOTICESREUSEDPART"
_RELATIVE = re.compile(r'\b(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)')
_ID = re.compile(r'\bid="([^"]*)"')
_MARKER = re.compile(re.escape(PART_START) + "|" + re.escape(PART_END))


def marked_parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of what lies inside each pair of markers, in order; [] unless they pair up."""
    spans, start = [], None
    for m in _MARKER.finditer(text):
        opening = m.group(0) == PART_START
        if opening == (start is not None):
            return []  # nested, or a closing marker without its opening one
        if opening:
            start = m.end()
        else:
            spans.append((start, m.start()))
            start = None
    return [] if start is not None else spans


def without_markers(html: str) -> str:
    """Converted HTML from the first part to the last, with the marker lines taken out."""
    spans = marked_parts(html)
    if not spans:
        return html
    inner = html[spans[0][0]:spans[-1][1]]
    return re.sub(r"(?:\s*(?:" + _MARKER.pattern + r"))+\s*", "\n", inner).strip("\n")  # blocks: one newline apart


@dataclass(frozen=True)
class _Part:
    html: str
    items: list  # the part's top headings (mkdocs.structure.toc.AnchorLink, with their children)
    ids: frozenset[str]  # every id in the part


def _walk(items: list) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _walk(item.children)


def _part_of(part: str, toc: Any) -> _Part | None:
    """A converted part, if it can serve another page as it is."""
    ids = frozenset(_ID.findall(part))
    if _RELATIVE.search(part) or any(re.search(r"_\d+$", i) for i in ids):
        return None  # resolved against this page's place, or numbered after a heading outside the part
    run = _toc_run(list(toc.items), ids)
    if run is None or {item.id for item in _walk(run)} != {i.id for i in _walk(list(toc.items)) if i.id in ids}:
        return None
    if run and (len({item.level for item in run}) != 1 or not {i.id for i in _walk(run)} <= ids):
        return None
    return _Part(part, run, ids)


def _toc_run(items: list, ids: frozenset[str]) -> list | None:
    """The part's top headings: consecutive items of one list of the table of contents ([] if none)."""
    inside = [n for n, item in enumerate(items) if item.id in ids]
    if inside:
        return items[inside[0]:inside[-1] + 1] if inside == list(range(inside[0], inside[-1] + 1)) else None
    for item in items:
        run = _toc_run(item.children, ids)
        if run is None or run:
            return run
    return []


def _splice_all(html: str, page: Any, parts: list[str], reused: list[bool],
                known: dict[str, _Part | None]) -> str | None:
    """The page with each reused part's HTML in place of its placeholder and its headings in the page's
    table of contents, where converting the page whole would have put them; None if that is unsure."""
    spans = marked_parts(html)
    if len(spans) != len(parts):
        return None
    # Where each id is, and so every id the table of contents would have seen: a reused part's must be new.
    place = {m.group(1): (m.start(), 0) for m in _ID.finditer(html)}
    seen = set(place)
    outer = list(_walk(list(page.toc.items)))
    if any(item.id not in place for item in outer):
        return None
    out, last = [], 0
    for k, (start, end) in enumerate(spans):
        if not reused[k]:
            continue
        part = known[parts[k]]
        if part is None or html[start:end].strip() != f"<p>{_PLACEHOLDER}{k}</p>" or part.ids & seen:
            return None
        seen |= part.ids
        at = (start, 0)
        if part.items:
            level = part.items[0].level
            after = [item for item in outer if place[item.id] > at]
            if after and min(after, key=lambda item: place[item.id]).level > level:
                return None  # it would nest under the part's last heading
            parents = [item for item in outer if place[item.id] < at and item.level < level]
            siblings = parents[-1].children if parents else page.toc.items
            index = sum(1 for item in siblings if place[item.id] < at)
            items = copy.deepcopy(part.items)
            siblings[index:index] = items
            for n, item in enumerate(_walk(items), 1):  # in document order, where the placeholder was
                place[item.id] = (start, n)
                outer.append(item)
        out += [html[last:start], part.html]  # between the markers, whitespace included
        last = end
    if isinstance(page.present_anchor_ids, set):
        page.present_anchor_ids |= seen
    _STATS["parts_reused"] += sum(reused)
    return "".join(out) + html[last:]


LUNR = "assets/javascripts/lunr/"


def _unused_search_files(config: Any, uris: list[str]) -> set[str]:
    """The theme's search-language files (~35, 1 MB) that this site's search never loads.

    Material's search worker loads, for its languages: nothing more for English alone; otherwise
    min/lunr.stemmer.support.min.js, min/lunr.<lang>.min.js for each language but English,
    min/lunr.multi.min.js for more than one, tinyseg.js for ja and wordcut.js for hi and th.
    Its languages are the search plugin's `lang` setting, set by the plugin when the config is loaded.
    If that setting cannot be found, every file is kept (tests/test_browser.py searches each site)."""
    langs = None
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.search"):
            langs = getattr(plugin.config, "lang", None)
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


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _swap(new: Path, dest: Path) -> None:
    old = dest.with_name(f".old-{dest.name}")
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


# --------------------------------------------------------------------------------------------------
# Caches shared by the builds of one process. MkDocs internals used here, and nowhere else:
#   - `config.theme.get_env()` (mkdocs.theme.Theme.get_env) makes the theme's Jinja Environment; we
#     wrap it on the config's own Theme instance to give that Environment our bytecode cache and a
#     memoised `list_templates`;
#   - `Files.add_files_from_theme` lists the theme's files through `env.list_templates(filter_func=f)`,
#     where `f` is a nested function whose result depends only on `config.theme.static_templates`
#     and `mkdocs.utils.markdown_extensions`: both are part of the memo's key.
# Reusing a converted part (see PART_START) relies on the page attributes themes read (`page.toc`:
# items with `id`, `level`, `children`; `page.present_anchor_ids`) and on `Page.render` to convert a
# page again; tests/test_site.py compares every example site with and without reuse, byte for byte.
# If MkDocs is not a version these were checked against, or the nested filter is not found, builds
# run uncached (slower, same output) and tests/test_mkdocs_internals.py fails.

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
                data = (self.directory / f"{bucket.key}.cache").read_bytes()
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
                self.directory.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.directory / f"{bucket.key}.cache")
            except OSError:
                pass  # a cache that cannot be written is only slower


_BYTECODE = _Bytecode()
_LISTINGS: dict[tuple, tuple[str, ...]] = {}
_ENVS: dict[tuple, jinja2.Environment] = {}
_STATS = {"listings_made": 0, "listings_reused": 0, "envs_reused": 0, "parts_reused": 0}


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


def cache_stats() -> dict[str, int]:
    return {"bytecode_hits": _BYTECODE.hits, "bytecode_misses": _BYTECODE.misses, **_STATS}


def clear_caches() -> None:
    _THEMES.clear()
    _BYTECODE.memory.clear()
    _LISTINGS.clear()
    _ENVS.clear()


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


def _warm(config: Any) -> None:
    """Give this build's theme the shared caches (see above)."""
    if not CACHES_ENABLED or not caches_supported():
        return
    import mkdocs.utils

    theme = config.theme
    make_env = type(theme).get_env
    filter_code = _theme_filter_code()

    # The Environment itself can serve every build with the same theme folders and language, unless a
    # plugin changes it per build (on_env) or the theme has a custom_dir, whose templates may be edited
    # while a process runs (MkDocs' Environment does not reload templates).
    reuse = not config.plugins.events.get("env") and not getattr(theme, "custom_dir", None)
    # Templates cache their imported modules (Material's search plugin reads its language from one), so
    # an Environment serves only sites in the same theme language and direction, not just the same locale.
    env_key = (tuple(theme.dirs), str(theme.locale), repr(theme.get("language")), repr(theme.get("direction")),
               frozenset(theme.static_templates))

    def get_env() -> jinja2.Environment:
        if reuse and env_key in _ENVS:
            _STATS["envs_reused"] += 1
            return _ENVS[env_key]
        env = make_env(theme)
        env.bytecode_cache = _BYTECODE
        plain = env.list_templates

        def list_templates(extensions: Any = None, filter_func: Callable[[str], bool] | None = None) -> list[str]:
            if (filter_func is None or getattr(filter_func, "__code__", None) is not filter_code
                    or getattr(theme, "custom_dir", None)):  # overrides may gain files while a process runs
                return plain(extensions=extensions, filter_func=filter_func)
            key = (tuple(theme.dirs), frozenset(theme.static_templates), tuple(mkdocs.utils.markdown_extensions),
                   tuple(extensions) if extensions else None)
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
