"""One Markdown converter per site, reset between its pages.

MkDocs makes a new `markdown.Markdown` for every page (`Page.render`): loading the extensions and building
their processors costs about a third of a millisecond, a sixth of converting one of our pages. Python-
Markdown supports converting many documents with one instance, `reset()` between them; MkDocs' own
processors of a page (its links, anchors and title) are made for each page as MkDocs makes them.

MkDocs internals used here, and nowhere else: `Page.render` (replaced while a site builds by a copy that
differs only in where the converter comes from) and the four processors it registers. Reuse is limited to
converters whose every processor is Python-Markdown's or MkDocs' own, whose `reset()` is known to clear
their state; any other extension gets a new converter per page, as MkDocs does. tests/test_site.py
compares every example site built with and without reuse, byte for byte; tests/test_mkdocs_internals.py
fails if `Page.render` no longer does what the copy does.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator

from .theme_cache import _STATS

REUSE = True
_OWN = ("markdown.", "mkdocs.")
# Footnotes' reset() numbers the next document's ids on (UNIQUE_IDS): a converter per page never does.
_NOT_REUSED = ("markdown.extensions.footnotes",)
_RENDER_NAMES = {"_RawHTMLPreprocessor", "_ExtractAnchorsTreeprocessor", "_RelativePathTreeprocessor",
                 "_ExtractTitleTreeprocessor", "get_toc", "Markdown"}


def supported() -> bool:
    """Whether MkDocs' Page.render is the one this module's copy was made from."""
    import mkdocs
    from mkdocs.structure.pages import Page

    from .theme_cache import MKDOCS_TESTED

    code = getattr(Page.render, "__code__", None)
    return (mkdocs.__version__.startswith(MKDOCS_TESTED) and code is not None
            and _RENDER_NAMES <= set(code.co_names) | set(code.co_varnames))


def _own_processors(md: Any) -> bool:
    registries = (md.preprocessors, md.parser.blockprocessors, md.inlinePatterns, md.treeprocessors,
                  md.postprocessors)
    return all(type(item).__module__.startswith(_OWN) and not type(item).__module__.startswith(_NOT_REUSED)
               for registry in registries for item in registry)


@contextmanager
def per_site() -> Iterator[None]:
    """While this is open, pages of one config share one converter (see above)."""
    import markdown
    from mkdocs.structure import pages as mkpages

    original = mkpages.Page.render
    if not REUSE or not supported():
        yield
        return
    made: dict[int, tuple[Any, Any]] = {}  # id(config) → (config, its converter or None: not reusable)

    def converter(config: Any) -> Any:
        found = made.get(id(config))
        if found is not None and found[0] is config:
            if found[1] is not None:
                found[1].reset()
                _STATS["converters_reused"] += 1
            return found[1]
        md = markdown.Markdown(extensions=config["markdown_extensions"],
                               extension_configs=config["mdx_configs"] or {})
        made[id(config)] = (config, md if _own_processors(md) else None)
        return made[id(config)][1]

    def render(self: Any, config: Any, files: Any) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = converter(config)
        if md is None:
            return original(self, config, files)
        raw_html_ext = mkpages._RawHTMLPreprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = mkpages._ExtractAnchorsTreeprocessor(self.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = mkpages._RelativePathTreeprocessor(self.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = mkpages._ExtractTitleTreeprocessor()
        extract_title_ext._register(md)
        self.content = md.convert(self.markdown)
        self.toc = mkpages.get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if mkpages.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors
        return None

    mkpages.Page.render = render  # type: ignore[method-assign]
    try:
        yield
    finally:
        mkpages.Page.render = original  # type: ignore[method-assign]
