"""Two steps of Material's that redo work on every page, done once or skipped where they change nothing.

Both are used only with the theme caches (generator/site/theme_cache.py), which tests/test_site.py turns
off to compare every example site built both ways, byte for byte.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2

from . import search_sections

_LANGUAGE = "partials/language.html"


def language_without_config(env: jinja2.Environment) -> None:
    """Material's search plugin reads a few words through `partials/language.html`, asked for with the
    build's config as a global of that template (plugin.py `_translate`); Jinja keeps such a global on
    the cached template, and each page's `import "partials/language.html" with context` then finds a
    global its own imports lack, so they build the language's module again on every page (Jinja's
    `_get_default_module`). The plugin's module is made with the global, which is then taken off: the
    page imports get `config` from their context, as before, and the language modules are made once."""
    plain = env.get_template

    def get_template(name: Any, parent: Any = None, globals: Any = None) -> jinja2.Template:
        template = plain(name, parent, globals)
        if globals and name == _LANGUAGE and isinstance(template, jinja2.Template):
            template.module  # noqa: B018  # made now, with the plugin's globals, for the plugin to read
            for key in list(globals):  # (the template may hold this very dict as its own)
                template.globals.pop(key, None)
        return template

    env.get_template = get_template  # type: ignore[method-assign]


_SEARCH_ATTRIBUTE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # as Material's on_page_context writes it


def strip_only_where_marked(config: Any) -> None:
    """Material's search plugin, once it has indexed a page, takes its `data-search-*` attributes out of
    the page with a pattern that begins with an optional space, so the whole page is tried at every
    character: a fiftieth of a clinic's build, for pages that hold no such attribute. Where its plugin
    is the one `search_sections` was checked against, its page-context step is replaced by one that
    does the same, with the pattern tried only on a page that holds the attribute's name."""
    plugin = next((p for p in config.plugins.values() if type(p).__module__.startswith("material.plugins.search")),
                  None)
    events = config.plugins.events.get("page_context")
    if plugin is None or events is None or not search_sections.material_checked(plugin.search_index):
        return
    original = plugin.on_page_context
    if original not in events:
        return

    def on_page_context(context: Any, *, page: Any, config: Any, nav: Any) -> None:
        if not plugin.config.enabled:
            return
        plugin.search_index.add_entry_from_context(page)
        if "data-search-" in page.content:  # the pattern cannot match without it
            page.content = _SEARCH_ATTRIBUTE.sub("", page.content)

    origins = config.plugins._event_origins
    events[events.index(original)] = on_page_context
    origins[on_page_context] = origins.get(original, "material/search")
