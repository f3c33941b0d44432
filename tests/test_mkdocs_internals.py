"""The MkDocs internals generator/site/builder.py relies on for speed. If MkDocs changes under them, these
tests fail loudly (and builds fall back to running uncached: slower, same output)."""

from __future__ import annotations

import shutil
from datetime import date

import jinja2
import mkdocs
from mkdocs.structure.files import Files
from mkdocs.theme import Theme

from generator.site import theme_cache
from generator.site.build import build
from tests.conftest import MINIMAL, tree_bytes

AS_OF = date(2026, 11, 22)


def test_mkdocs_is_a_version_the_caches_were_checked_against():
    assert mkdocs.__version__.startswith(theme_cache.MKDOCS_TESTED), (
        f"MkDocs {mkdocs.__version__} is installed; generator/site/builder.py's caches were checked against "
        f"{theme_cache.MKDOCS_TESTED}. Re-check Theme.get_env and Files.add_files_from_theme, then update MKDOCS_TESTED.")
    assert theme_cache.caches_supported()


def test_page_render_is_what_one_markdown_copies():
    """generator/site/one_markdown.py replaces Page.render, while a site builds, by a copy that takes its
    converter from a per-site store: MkDocs' own must still do exactly what the copy does."""
    import inspect
    import re

    from mkdocs.structure.pages import Page

    from generator.site import one_markdown

    assert one_markdown.supported()
    source = inspect.getsource(Page.render)
    for statement in ("md = markdown.Markdown(", "extensions=config['markdown_extensions'],",
                      "extension_configs=config['mdx_configs'] or {},",
                      "raw_html_ext = _RawHTMLPreprocessor()", "raw_html_ext._register(md)",
                      "extract_anchors_ext = _ExtractAnchorsTreeprocessor(self.file, files, config)",
                      "relative_path_ext = _RelativePathTreeprocessor(self.file, files, config)",
                      "extract_title_ext = _ExtractTitleTreeprocessor()",
                      "self.content = md.convert(self.markdown)",
                      "self.toc = get_toc(getattr(md, 'toc_tokens', []))",
                      "self._title_from_render = extract_title_ext.title",
                      "self.links_to_anchors = relative_path_ext.links_to_anchors"):
        assert statement in source, statement
    assigned = sorted(set(re.findall(r"^\s+self\.(\w+) =", source, re.M)))
    assert assigned == ["_title_from_render", "content", "links_to_anchors", "present_anchor_ids", "toc"], assigned
    assert len(re.findall(r"\._register\(md\)", source)) == 4


def test_theme_environment_is_made_by_get_env_from_the_theme_dirs():
    theme = Theme(name="material", locale="en")
    env = Theme.get_env(theme)
    assert isinstance(env, jinja2.Environment)
    assert isinstance(env.loader, jinja2.FileSystemLoader) and list(env.loader.searchpath) == theme.dirs
    assert env.bytecode_cache is None  # MkDocs sets none: ours is added per build
    assert env.list_templates.__func__ is jinja2.Environment.list_templates


def test_installed_themes_are_looked_up_through_a_cached_function():
    import inspect

    import mkdocs.utils

    assert hasattr(mkdocs.utils.get_themes, "cache_clear") and callable(mkdocs.utils.get_theme_dir)
    assert "get_themes" in inspect.getsource(mkdocs.utils.get_theme_dir)
    with theme_cache._themes_found_once():
        assert mkdocs.utils.get_themes() is mkdocs.utils.get_themes()
        assert "material" in mkdocs.utils.get_theme_names()
    assert hasattr(mkdocs.utils.get_themes, "cache_info")  # the original is back


def test_theme_files_are_listed_through_a_filter_that_depends_on_the_config_only():
    code = theme_cache._theme_filter_code()
    assert code is not None and code.co_freevars == ("config",)
    # What the filter reads: the theme's static templates and MkDocs' Markdown extensions, both in the key.
    names = set(code.co_names)
    assert {"static_templates", "markdown_extensions", "fnmatch"} <= names, names
    assert "list_templates" in Files.add_files_from_theme.__code__.co_names


def test_the_pruned_theme_listing_equals_the_full_one():
    """theme_cache._theme_listing skips dot-folders (Material's .icons): the filter drops them anyway."""
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig()
    config.load_dict({"site_name": "x", "theme": {"name": "material"}})
    assert config.validate()[0] == []
    env = Theme.get_env(config.theme)
    seen = {}

    class Probe(Files):
        def __init__(self):
            super().__init__([])

    original = env.list_templates

    def capture(extensions=None, filter_func=None):
        seen["filter"] = filter_func
        return original(extensions=extensions, filter_func=filter_func)

    env.list_templates = capture
    Probe().add_files_from_theme(env, config)
    full = original(filter_func=seen["filter"])
    assert full and theme_cache._theme_listing(env, None, seen["filter"]) == full
    assert any(name.startswith("assets/javascripts/") for name in full)


def test_cached_and_uncached_builds_are_byte_identical_and_the_caches_are_used(make_project, tmp_path, monkeypatch):
    # Two languages: each language's site must get what an uncached build gives it (its search language).
    files = {"clinics/t/clinic.yaml": MINIMAL + "branding: {logo: logo.svg}\nlanguages: [en, es]\n",
             "clinics/t/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'}
    project = make_project(files)
    theme_cache.clear_caches()
    before = theme_cache.cache_stats()
    build(project, as_of=AS_OF)
    theme_cache._ENVS.clear()  # a new Environment: its templates come from the bytecode cache
    build(project, as_of=AS_OF)
    build(project, as_of=AS_OF)  # the same Environment again
    cached = tree_bytes(project.site_dir)
    after = theme_cache.cache_stats()
    assert after["bytecode_hits"] > before["bytecode_hits"]
    assert after["listings_made"] == before["listings_made"] + 1
    assert after["listings_reused"] >= before["listings_reused"] + 1
    assert after["envs_reused"] >= before["envs_reused"] + 1

    shutil.rmtree(project.site_dir)
    monkeypatch.setattr(theme_cache, "CACHES_ENABLED", False)
    build(project, as_of=AS_OF)
    assert tree_bytes(project.site_dir) == cached
    assert theme_cache.cache_stats()["listings_reused"] == after["listings_reused"]


def test_a_changed_theme_template_is_recompiled_not_served_stale(tmp_path):
    """The bytecode cache is keyed by template and checked against the source's checksum."""
    (tmp_path / "t.html").write_text("one")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), bytecode_cache=theme_cache._BYTECODE)
    assert env.get_template("t.html").render() == "one"
    (tmp_path / "t.html").write_text("two")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), bytecode_cache=theme_cache._BYTECODE)
    assert env.get_template("t.html").render() == "two"


def test_a_site_ships_only_the_search_language_files_its_search_loads(make_project):
    """site._unused_search_files reads Material's search `lang` setting and mirrors its worker's rule;
    tests/test_browser.py searches an English and a Spanish site, which needs the files kept here."""
    import re

    from generator.notices import pages

    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "languages: [en, es]\n"})
    build(project, as_of=AS_OF)  # a site of a few pages has no search: none of its files is shipped
    for folder in ("", "es/"):
        assets = project.site_dir / "t" / folder / "assets/javascripts"
        assert not (assets / "lunr").exists() and not list((assets / "workers").glob("search.*"))
    pages.SEARCH_FROM_VERSIONS, before = 0, pages.SEARCH_FROM_VERSIONS  # search on for every site
    try:
        build(project, as_of=AS_OF)
    finally:
        pages.SEARCH_FROM_VERSIONS = before
    site_dir = project.site_dir / "t"
    for folder, kept in (("", set()), ("es/", {"min/lunr.es.min.js", "min/lunr.stemmer.support.min.js"})):
        lunr = site_dir / folder / "assets/javascripts/lunr"
        shipped = {p.relative_to(lunr).as_posix() for p in lunr.rglob("*") if p.is_file()} if lunr.exists() else set()
        assert shipped == kept, folder
        worker = next((site_dir / folder / "assets/javascripts/workers").glob("search.*.min.js")).read_text()
        # The worker's own rule, as this Material version writes it.
        assert re.search(r'n!=="en"&&\w+\.push\(`\$\{\w+\}/min/lunr\.\$\{n\}\.min\.js`\)', worker)
        assert "min/lunr.stemmer.support.min.js" in worker and "min/lunr.multi.min.js" in worker


def test_a_converter_is_shared_only_where_reset_starts_each_page_afresh():
    """Python-Markdown's and MkDocs' processors reset fully; footnotes number ids on (UNIQUE_IDS) and any
    other package's extension is unknown: those pages get a new converter each, as MkDocs makes them."""
    import markdown

    from generator.site import one_markdown

    assert one_markdown._own_processors(markdown.Markdown(extensions=["toc", "tables", "attr_list", "md_in_html",
                                                                      "admonition", "fenced_code"]))
    assert not one_markdown._own_processors(markdown.Markdown(extensions=["footnotes"]))

    class Foreign(markdown.extensions.Extension):
        def extendMarkdown(self, md):  # noqa: N802
            md.treeprocessors.register(type("P", (markdown.treeprocessors.Treeprocessor,), {"run": lambda s, r: r})(md),
                                       "foreign", 1)

    assert not one_markdown._own_processors(markdown.Markdown(extensions=[Foreign()]))
