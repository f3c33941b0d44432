"""generator/site/material_steps.py: two of Material's per-page steps, done once or skipped where they
change nothing. What a site holds is the same either way (tests/test_site.py builds every example site
with and without the theme caches); these tests show that each step still does Material's work, and
that the work is saved."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import material
from material.plugins.search import plugin as material_search
from mkdocs.plugins import PluginCollection

from generator.site import material_steps

_THEME = Path(material.__file__).parent / "templates"


def _environment() -> jinja2.Environment:
    """Material's own language templates, and a page that imports them as base.html does."""
    files = {name: (_THEME / name).read_text(encoding="utf-8")
             for name in ("partials/language.html", "partials/languages/en.html", "partials/languages/fr.html")}
    files["page.html"] = ('{% import "partials/language.html" as lang with context %}'
                          '{{ lang.t("search.placeholder") }}|{{ page }}')
    return jinja2.Environment(loader=jinja2.DictLoader(files), auto_reload=False)


def _config(language: str) -> SimpleNamespace:
    return SimpleNamespace(theme=SimpleNamespace(language=language))


def _translate(env: jinja2.Environment, config: SimpleNamespace, key: str) -> str:
    """What Material's search plugin does to read a word (plugin.py `_translate`)."""
    return env.get_template("partials/language.html", None, {"config": config}).module.t(key)


def _language_modules_made(env: jinja2.Environment, pages: int, monkeypatch) -> tuple[list[str], int]:
    made = 0
    plain = jinja2.Template.make_module

    def counted(self, *args, **kwargs):
        nonlocal made
        if self.name.startswith("partials/languages/"):
            made += 1
        return plain(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "make_module", counted)
    out = [env.get_template("page.html").render(config=_config("fr"), page=i) for i in range(pages)]
    return out, made


def test_the_search_plugins_words_are_read_and_the_pages_import_the_language_once(monkeypatch):
    plain, ours = _environment(), _environment()
    material_steps.language_without_config(ours)
    for env in (plain, ours):
        assert str(_translate(env, _config("fr"), "search.config.lang")) == "fr"
    plain_pages, plain_made = _language_modules_made(plain, 5, monkeypatch)
    our_pages, our_made = _language_modules_made(ours, 5, monkeypatch)
    assert our_pages == plain_pages and "Rechercher|4" in our_pages[-1]
    assert plain_made == 10  # Material's way: its language and English (the fallback) made again for every page
    assert our_made <= 2  # once each


def test_a_later_site_still_reads_the_words_of_its_own_language():
    env = _environment()
    material_steps.language_without_config(env)
    assert str(_translate(env, _config("fr"), "search.config.lang")) == "fr"
    assert env.get_template("page.html").render(config=_config("fr"), page=1).startswith("Rechercher")
    assert str(_translate(env, _config("fr"), "search.config.lang")) == "fr"


class _Page:
    def __init__(self, content: str) -> None:
        self.content = content
        self.meta: dict = {}
        self.toc = []
        self.url = "p/"
        self.title = "P"


def _with_search() -> tuple[SimpleNamespace, material_search.SearchPlugin]:
    plugin = material_search.SearchPlugin()
    plugin.load_config({})
    plugin.search_index = material_search.SearchIndex(**plugin.config)
    plugins = PluginCollection()
    plugins["material/search"] = plugin
    return SimpleNamespace(plugins=plugins), plugin


def test_search_attributes_are_still_taken_out_and_pages_indexed_as_material_does():
    pages = ['<h1 id="a">A</h1><p data-search-exclude="x">hidden</p><p>seen</p>',
             '<h1 id="b">B</h1><p>no attribute here</p>',
             '<div\tdata-search-boost="2">x</div><p data-search-="">y</p>']
    theirs_config, theirs = _with_search()
    ours_config, ours = _with_search()
    material_steps.strip_only_where_marked(ours_config)
    assert ours_config.plugins.events["page_context"] != theirs_config.plugins.events["page_context"]
    out = []
    for html in pages:
        a, b = _Page(html), _Page(html)
        theirs_config.plugins.on_page_context({}, page=a, config=theirs_config, nav=None)
        ours_config.plugins.on_page_context({}, page=b, config=ours_config, nav=None)
        assert b.content == a.content
        out.append(b.content)
    assert out[0] == '<h1 id="a">A</h1><p>hidden</p><p>seen</p>'  # taken out after the page was indexed
    assert out[1] == pages[1]
    assert out[2] == '<div>x</div><p data-search-="">y</p>'  # the pattern's own limits, kept
    assert ours.search_index.entries == theirs.search_index.entries
    assert len(ours.search_index.entries) == len(pages)  # each page indexed once


def test_another_material_search_plugin_is_left_to_itself(monkeypatch):
    from generator.site import search_sections

    monkeypatch.setattr(search_sections, "MATERIAL_TESTED", frozenset({"another"}))
    monkeypatch.setattr(search_sections, "_CHECKED", {})
    config, plugin = _with_search()
    before = list(config.plugins.events["page_context"])
    material_steps.strip_only_where_marked(config)
    assert config.plugins.events["page_context"] == before
