"""The blocks around a notice's text are written as HTML and put in place without Markdown
(generator/site/parts.py, RAW_START): they must read exactly as Markdown would have written them, and
clinic text in them must be escaped for HTML."""

from __future__ import annotations

import re
import shutil
from datetime import date

import markdown
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st
from markupsafe import escape

from generator.data.load import load_clinics
from generator.notices.render import render_notice
from generator.publishing.versions import load_versions
from generator.publishing.writing import publish
from generator.site import parts as parts_mod
from generator.site.build import build
from generator.site.builder import base_config
from generator.site.parts import RAW_END, RAW_START, raw_part
from tests.conftest import MINIMAL, REPO, tree_bytes

AS_OF = date(2026, 11, 22)
HOSTILE = "<script>x</script> & \"Co\" 's **b** [l](javascript:x) `c` --> <!-- \\( #"


def _markdown() -> markdown.Markdown:
    config = base_config(REPO / "mkdocs.yml")
    names, configs = [], {}
    for item in config["markdown_extensions"]:
        name, settings_ = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        names.append(name)
        configs[name] = settings_ or {}
    return markdown.Markdown(extensions=names, extension_configs=configs)


def _marked(block: str) -> str:
    return f"# Title\n\n{RAW_START}\n\n{block}\n\n{RAW_END}\n\nAfter.\n"


LINES = st.lists(st.builds(
    lambda tag, text, link: f'<p class="{tag}">{escape(text)}'
                            + (f' <a href="{escape(link)}">{escape(text)}</a>' if link else "") + "</p>",
    st.sampled_from(["notice-stamp", "notice-banner__line", "x"]), st.text(max_size=40),
    st.one_of(st.none(), st.text(max_size=10))), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(LINES, st.booleans())
def test_a_block_taken_as_it_is_is_what_markdown_writes(lines, in_div):
    """Whatever `raw_part` accepts, Markdown (with the base's extensions) writes exactly as it stands;
    what it refuses is converted, so it never has to be right about it."""
    block = "\n".join(lines)
    if in_div:
        block = f'<div class="notice-banner" role="note">\n{block}\n</div>'
    text = _marked(block)
    start = text.index(RAW_START) + len(RAW_START)
    end = text.index(RAW_END)
    part = raw_part(text, start, end)
    if part is None:
        return
    html = _markdown().convert(text)
    assert html[html.index(RAW_START) + len(RAW_START):html.index(RAW_END)] == part.html


def test_what_markdown_would_change_is_refused():
    for block in ('<p>a\tb</p>', '<p>a\rb</p>', '<p>a\x02b</p>', '<p>a</p>\n   \n<p>b</p>', '**a**',
                  '<p markdown="span">**a**</p>', '<span>a</span>', ' <p>a</p>'):
        text = _marked(block)
        assert raw_part(text, text.index(RAW_START) + len(RAW_START), text.index(RAW_END)) is None, block
    text = _marked('<p class="x">a</p>')
    part = raw_part(text, text.index(RAW_START) + len(RAW_START), text.index(RAW_END))
    assert part is not None and part.html == '\n\n<p class="x">a</p>\n\n'
    # Only a part opened by RAW_START: another kind of part is Markdown.
    other = text.replace(RAW_START, "<!-- part around -->").replace(RAW_END, "<!-- /part around -->")
    assert raw_part(other, other.index("-->") + 3, other.index("<!-- /part")) is None


def _hostile_project(make_project):
    clinic = MINIMAL.replace("name: Test Clinic", "name: '" + HOSTILE.replace("'", "''") + "'")
    project = make_project({"clinics/t/clinic.yaml": clinic})
    [loaded] = load_clinics(project, ["t"])
    for n, (today, summary) in enumerate(((date(2026, 1, 5), "First."),
                                          (date(2026, 3, 1), HOSTILE + "\tand\u2028more"))):
        rendered = render_notice(project, loaded, "privacy")
        existing = load_versions(project, "t", ["privacy"])["privacy"]
        publish(project, "t", existing, "privacy", "en", rendered.title,
                rendered.markdown + "\n## Added\n\nText.\n" * n, effective=today, today=today,
                summary=summary, approved_by="Pat Lee", technical=False)
    return project


def test_clinic_text_in_an_html_block_is_escaped_and_the_site_is_what_markdown_makes(make_project, monkeypatch):
    """A hostile clinic name and version summary reach the version cards, banners and stamps as text;
    the site is byte-identical to converting those blocks with Markdown, and they were not converted."""
    from generator.site import theme_cache

    project = _hostile_project(make_project)
    before = theme_cache.cache_stats()["raw_parts"]
    build(project, as_of=AS_OF)
    assert theme_cache.cache_stats()["raw_parts"] >= before + 10
    fast = tree_bytes(project.site_dir)
    history = (project.site_dir / "t" / "privacy" / "versions" / "index.html").read_text(encoding="utf-8")
    cards = BeautifulSoup(history, "html.parser").select("li.version-card")
    assert [c.select("p")[-1].get_text() for c in cards] == [
        f"{HOSTILE} and more What changed", "First version of this notice. What changed"]
    for name, data in fast.items():
        if name.endswith(".html"):
            assert b"<script>x" not in data and b'href="javascript' not in data, name
    monkeypatch.setattr(parts_mod, "RAW_PARTS", False)
    shutil.rmtree(project.site_dir)
    build(project, as_of=AS_OF)
    plain = tree_bytes(project.site_dir)
    assert [name for name in plain if fast.get(name) != plain[name]] == []


# Helpers that give Markdown (escaped for it, as Markup): in an HTML block they would show backslashes.
_MARKDOWN_ONLY = re.compile(r"\b(?:link|mailto|tel|join_and|join_or|join_nor|lookup_form)\(|\|\s*(?:join_and|join_or|"
                            r"join_nor)\b|markdown=|\|\s*safe\b|\{\{\s*_\(")


def test_html_blocks_of_the_page_templates_use_no_markdown_helper():
    found = []
    for path in sorted((REPO / "templates" / "pages").glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"\{% autoescape true %\}(.*?)\{% endautoescape %\}", text, re.S):
            found += [f"{path.name}: {m.group(0)}" for m in _MARKDOWN_ONLY.finditer(block)
                      if not block[:m.end()].endswith("notes | safe")]
        assert text.count(RAW_START) == text.count(RAW_END), path.name
    assert found == []
