"""Pages → one static Material for MkDocs site. With theme_cache.py and one_markdown.py, the only modules
that import MkDocs.

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
import posixpath
import shutil
import tempfile
from collections import ChainMap
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from markupsafe import Markup

from ..data.logo import Logo
from ..errors import NoticesError
from . import chrome as chrome_mod
from .base import base_config, custom_dir  # noqa: F401  (the builder's API)
from . import parts as parts_mod
from .parts import _PLACEHOLDER, _Part, _part_of, _splice_all, marked_parts
from . import folders as folders_mod
from . import frame_memo, linking, one_markdown, page_cache
from .page import Page
from .page_cache import PageCache
from .theme_cache import _STATS, _themes_found_once, _unused_search_files, _warm, kept_pages_plugin

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise for our users


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
    # The clinic's header and footer (templates/theme/): its name, contact, words, feeds; plain values,
    # escaped by those templates. See generator/notices/pages.py `site_chrome`.
    chrome: dict[str, Any] = field(default_factory=dict)
    search: bool = True  # Material's search, where the site's history makes it useful
    toc_title: str | None = None  # the "On this page" list's heading, in the site's language
    permalink_title: str | None = None  # the headings' anchor links' title, in the site's language


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


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


def stage_site(base: dict, assets_dir: Path, spec: SiteSpec, work: Path, pages: PageCache | None = None,
               folders: folders_mod.Pool | None = None) -> list[str]:
    """Build `spec` and its children into `work`/site, using `work` for scratch files; touch nothing
    else but `pages`, the site's kept pages (generator/site/page_cache.py), and `folders`, empty folders
    to take for its pages (generator/site/folders.py), if given. `swap_in` publishes the result. Returns
    MkDocs' warnings; raises NoticesError on failure."""
    work = work.resolve()
    warnings = _build_into(base, assets_dir, spec, work / "site", work / "src", pages, folders)
    for name, child in sorted(spec.children.items()):
        warnings += _build_into(base, assets_dir, child, work / "site" / name, work / f"src-{name}", pages, folders)
    for scratch in [work / "src", *(work / f"src-{name}" for name in spec.children)]:
        shutil.rmtree(scratch, ignore_errors=True)
    return warnings


def swap_in(staged: Path, dest: Path) -> None:
    """Replace `dest` (if any) with the built site `staged`, whole."""
    _swap(staged, dest.resolve())


def _build_into(base: dict, assets_dir: Path, spec: SiteSpec, out: Path, work: Path,
                pages: PageCache | None = None, folders: folders_mod.Pool | None = None) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    docs = work / "docs"
    if work.exists():
        raise FileExistsError(work)  # as mkdir: a staging folder is always new
    folders.make_all([docs]) if folders is not None else docs.mkdir(parents=True)
    # The pages' Markdown is asked for only where it is converted: a kept page's never is (page_keys.py).
    sources: dict[str, Page | bytes] = {page.path: page for page in spec.pages}
    sources["assets/brand.css"] = brand_css(spec).encode()
    own = sorted(p for p in assets_dir.glob("*") if p.suffix in (".css", ".js"))
    for asset in own:
        sources[f"assets/{asset.name}"] = asset.read_bytes()
    base = copy.deepcopy(base)  # MkDocs validation consumes parts of the dicts it is given
    theme = dict(base.get("theme", {}))
    theme["language"] = spec.lang
    if spec.logo:
        logo = f"assets/logo{spec.logo.suffix}"
        sources[logo] = spec.logo.data  # checked, and cleaned if SVG (generator/data/logo.py)
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
        extra={**base.get("extra", {}), "notices_site": chrome_mod.theme_values(spec.name, spec.chrome, spec.pages)},
        markdown_extensions=chrome_mod.extensions(base.get("markdown_extensions", []), spec.toc_title,
                                                       spec.permalink_title),
    )
    if not spec.search:
        options["plugins"] = [p for p in base.get("plugins", []) if p != "search" and not (isinstance(p, dict) and "search" in p)]
    collect = _Collect()
    kept = None
    if pages is not None and page_cache.usable(options):
        kept = kept_pages_plugin(pages, page_cache.frame_digest(options, sources, spec.epoch),
                                 {p.path: p for p in spec.pages},
                                 set(spec.capture) | {p.path for p in spec.pages if p.nav_title}, collect.messages)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        with _source_date_epoch(spec.epoch), _themes_found_once(), one_markdown.per_site():
            config = _config(work, options)
            config.plugins["clinic-notices-robots"] = _robots_plugin()
            captured: dict[str, str] = {}
            config.plugins["clinic-notices-sources"] = _sources_plugin(sources, spec.capture, captured, kept, folders)
            if kept is not None:
                config.plugins["clinic-notices-kept"] = kept  # last: it keeps pages as the others left them
            _warm(config)
            frame_memo.reset()
            build(config, dirty=kept is not None)
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


def _sources_plugin(sources: dict[str, Page | bytes], capture: tuple[str, ...], captured: dict[str, str],
                    kept: Any = None, folders: folders_mod.Pool | None = None):
    """The site's pages and assets, handed to MkDocs from memory, in the order MkDocs lists a docs folder;
    the converted HTML of the pages in `capture` is kept in `captured`. A marked part already converted
    on an earlier page of the site is not converted again (see PART_START). A page that `kept` serves
    from the page cache is handed over without its Markdown: MkDocs never reads it."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import File, Files, file_sort_key
    from mkdocs.utils.meta import get_data

    class Sources(BasePlugin):
        def __init__(self) -> None:
            # A part's Markdown → its HTML and headings (None: unusable), shared by every site of this
            # process that converts Markdown with the same extensions and settings (see parts.shared).
            self.parts: dict[str, _Part | None] = {}
            # page → (its parts' Markdown, whether each is reused, the page's whole Markdown)
            self.pending: dict[str, tuple[list[str], list[bool], str]] = {}
            self.bare: set[str] = set()  # the site's files without a suffix: a folder's address may name one
            self.runs: dict[str, list[tuple[int, list[str]]]] = {}  # page → its placeholders of several parts
            self.gaps: dict[str, str] = {}  # the text between two parts' placeholders → what Markdown makes of it
            self.meta: dict[str, dict] = {}  # page → its front matter's meta, read once per distinct text

        def on_config(self, config):  # noqa: ANN001
            self.parts = parts_mod.shared(config.markdown_extensions, config.mdx_configs)
            self.gaps = parts_mod.shared(config.markdown_extensions, config.mdx_configs, "gaps")
            return config

        def on_files(self, files, config):  # noqa: ANN001
            served = kept.serve(config) if kept is not None else set()
            own = sorted((File.generated(config, uri, content=_content(data, uri in served))
                          for uri, data in sources.items()), key=file_sort_key)
            unused = _unused_search_files(config, [f.src_uri for f in files])
            self.bare = {f.src_uri for f in files if "." not in posixpath.basename(f.src_uri)} | {
                uri for uri in sources if "." not in posixpath.basename(uri)}
            out = Files(own + [f for f in files if f.src_uri not in sources and f.src_uri not in unused])
            if folders is not None:  # every file's folder, before MkDocs writes into it
                folders.make_all(Path(f.abs_dest_path).parent for f in out)
            return out

        def on_page_read_source(self, page, config):  # noqa: ANN001
            """Our page without its front matter, whose meta `on_page_markdown` sets: MkDocs parses it
            with PyYAML's pure-Python loader on every page, and a site has a handful of distinct ones."""
            found = parts_mod.front_matter(page.file.content_string, get_data)
            if found is None:
                return None
            self.meta[page.file.src_uri] = found[0]
            return found[1]

        def on_page_markdown(self, markdown, page, config, files):  # noqa: ANN001
            if page.file.src_uri in self.meta:
                page.meta = copy.deepcopy(self.meta.pop(page.file.src_uri))
            spans = marked_parts(markdown)
            if not spans:
                return markdown
            parts = [markdown[start:end] for start, end in spans]
            raw = {part: found for part, (start, end) in zip(parts, spans)  # HTML put in place, unconverted
                   if parts_mod.RAW_PARTS and (found := parts_mod.raw_part(markdown, start, end)) is not None}
            reused = [part in raw or (parts_mod.REUSE_PARTS and self.parts.get(part) is not None and not
                      parts_mod.names_a_file(self.parts[part], page.file.src_uri, self.bare)) for part in parts]
            self.pending[page.file.src_uri] = (parts, reused, markdown, raw)
            if not any(reused):
                return markdown
            # Consecutive reused parts, with only their markers between them, become one placeholder:
            # Markdown's cost is per block, and a long notice is tens of parts.
            out, last, runs, k = [], 0, [], 0
            while k < len(spans):
                start, end = spans[k]
                out.append(markdown[last:start])
                if not reused[k]:
                    out.append(markdown[start:end])
                    last, k = end, k + 1
                    continue
                first, gaps = k, []
                while (k + 1 < len(spans) and reused[k + 1]
                       and (gap := self.gaps.get(markdown[spans[k][1]:spans[k + 1][0]])) is not None):
                    gaps.append(gap)
                    k += 1
                out.append(f"\n\n{_PLACEHOLDER}{first}\n\n")
                runs.append((first, gaps))
                last, k = spans[k][1], k + 1
            self.runs[page.file.src_uri] = runs
            return "".join(out) + markdown[last:]

        def _learn_gaps(self, html: str, markdown: str, reused: list[bool]) -> None:
            """What Markdown writes between two reused parts' placeholders, for each text found between
            them (their markers): a run of reused parts then needs one placeholder."""
            written = marked_parts(markdown)
            new = [k for k in range(len(written) - 1) if reused[k] and reused[k + 1]
                   and markdown[written[k][1]:written[k + 1][0]] not in self.gaps]
            converted = marked_parts(html) if new else []  # most pages teach nothing new: not scanned
            for k in new if len(converted) == len(written) else []:
                between = markdown[written[k][1]:written[k + 1][0]]
                if between not in self.gaps and parts_mod.ONLY_MARKERS.fullmatch(between):
                    self.gaps[between] = html[converted[k][1]:converted[k + 1][0]]

        def on_page_content(self, html, page, config, files):  # noqa: ANN001
            src = page.file.src_uri
            if src in self.pending:
                parts, reused, original, raw = self.pending.pop(src)
                html = parts_mod.expanded(html, self.runs.pop(src, []))
                self._learn_gaps(html, original, reused)
                spliced = _splice_all(html, page, parts, reused, ChainMap(raw, self.parts) if raw else self.parts)
                _STATS["raw_parts"] += len(raw) if spliced is not None else 0
                if spliced is None:  # here a part's headings would be numbered or nested differently
                    page.markdown = original
                    page.render(config, files)  # so convert the page whole, as MkDocs would have
                    spliced = page.content
                    reused = [False] * len(parts)
                for k, span in enumerate(marked_parts(spliced)):
                    if not reused[k] and parts[k] not in self.parts:
                        self.parts[parts[k]] = _part_of(spliced[span[0]:span[1]], page.toc, parts[k])
                html = spliced
            if src in capture:
                captured[src] = html
            return chrome_mod.lang_divs(html)

    return Sources()


def _content(data: Page | bytes, served: bool) -> str | bytes:
    if isinstance(data, Page):
        return "" if served else data.markdown
    return data


def _write(path: Path, data: bytes) -> None:
    linking.write(path, data)


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

