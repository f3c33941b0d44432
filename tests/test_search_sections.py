"""generator/site/search_sections.py cuts a page's HTML into the sections Material's search indexes,
without html.parser: it must give exactly what Material's own parser gives, or None."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from material.plugins.search import plugin as material_search

from generator.site import search_sections
from generator.site.search_sections import sections


def _material(html: str) -> list[tuple]:
    parser = material_search.Parser()
    parser.feed(html)
    parser.close()
    return [(s.el.tag, s.id, s.title, s.text, s.is_excluded()) for s in parser.data]


def _ours(html: str) -> list[tuple] | None:
    found = sections(html)
    return None if found is None else [(s.tag, s.id, s.title, s.text, s.is_excluded()) for s in found]


_WORDS = st.sampled_from(["a", "Privacy", " ", "\n", "  ", "x &amp; y", "&lt;b&gt;", "caf&eacute;", "\u00a0",
                          "5 > 3", "\"q\"", "it's", "&#169;", "\n\n  ", "&amp"])
_NARROW_OPEN = st.sampled_from([
    "<p>", "<h1>", '<h1 id="top">', '<h2 id="s-1">', '<h3 id="s&amp;2">', "<h2>", '<h4 id="x" data-search-exclude>',
    "<ul>", "<ol>", "<li>", "<pre>", "<code>", "<sub>", "<sup>", "<div>", '<div class="admonition note">',
    '<div data-search-exclude="">', '<div class="linenodiv">', '<a href="#x" class="headerlink" title="Link">',
    '<a href="/p/">', "<span>", "<strong>", "<em>", '<table class="t">', "<tr>", "<td>", "<blockquote>",
    "<nav\n  class=\"n\">", "<section>", "<p/>", "<div/>", '<span class="x" />'])
_NARROW_CLOSE = st.sampled_from(["</p>", "</h1>", "</h2>", "</h3>", "</h4>", "</ul>", "</ol>", "</li>", "</pre>",
                                 "</code>", "</sub>", "</sup>", "</div>", "</a>", "</span>", "</strong>",
                                 "</em>", "</table>", "</tr>", "</td>", "</blockquote>", "</nav>", "</section>"])
_NARROW_OTHER = st.sampled_from(["<br>", "<br />", "<hr>", '<img src="a.png" alt="A &amp; B">', "<!-- part html -->",
                                 "<!-- /part html -->", '<style media="print">@page { content: "x" }</style>',
                                 "<style></style>"])
_NARROW = st.lists(st.one_of(_WORDS, _NARROW_OPEN, _NARROW_CLOSE, _NARROW_OTHER), max_size=60).map("".join)
_OUTSIDE = st.sampled_from(["<script>x</script>", "<P>", "<a href=x>", "a < b", "<!-- a -- b -->", "<?pi?>",
                            "<!DOCTYPE html>", "<style>a<b</style>", "<textarea>t</textarea>", "<p class='x'>",
                            "<h2 ID=\"y\">", "<br/ >", "<custom-el>", "</p >", "<svg><p></svg>", "&amp;"])


@settings(max_examples=400, deadline=None)
@given(_NARROW)
def test_html_in_the_narrow_form_gives_materials_sections(html):
    ours = _ours(html)
    last = html.rfind("<")
    if "&" in (html if last < 0 else html[html.index(">", last) + 1:]):
        assert ours is None  # a reference in the last text: html.parser may hold it back
        return
    assert ours is not None, html
    assert ours == _material(html)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_WORDS, _NARROW_OPEN, _NARROW_CLOSE, _NARROW_OTHER, _OUTSIDE), max_size=60).map("".join))
def test_any_html_gives_materials_sections_or_is_handed_over(html):
    ours = _ours(html)
    if ours is not None:
        assert ours == _material(html)


def test_what_is_outside_the_narrow_form_is_handed_over():
    for html in ("<p>a</p><script>var a = '<p>';</script>", "<P>a</P>", "<p>a < b</p>", "<a href=x>y</a>",
                 "<p>x</p>\n&amp;", "<p class='a'>b</p>", "<!-- a -- b --><p>c</p>", "<style>a</b></style>"):
        assert sections(html) is None, html
    assert sections(None) is None


def test_headings_titles_permalinks_and_exclusions_read_as_material_reads_them():
    html = ('<p>Before</p><h1 id="t">Title <a class="headerlink" href="#t">¶</a></h1><p>One\ntwo &amp; three</p>'
            '<h2 id="a" data-search-exclude>Hidden</h2><p>gone</p><h2 id="b">B</h2><div data-search-exclude>'
            '<p>skipped</p></div><ul><li>  </li><li>kept</li></ul><pre>a\n  b</pre><pre> <span>  </span>\n</pre>')
    ours = _ours(html)
    assert ours == _material(html)
    assert [(tag, sid) for tag, sid, *_ in ours] == [("hx", None), ("h1", "t"), ("h2", "a"), ("h2", "b")]
    assert ours[1][2] == ["Title "] and "".join(ours[1][3]) == "<p>One two &amp; three</p>"
    assert ours[2][4] is True and "skipped" not in "".join(ours[3][3])


def test_another_material_search_plugin_is_left_to_itself(monkeypatch):
    """Used only while Material's search plugin is the file these rules were checked against."""
    index = material_search.SearchIndex()
    add = index.add_entry_from_context
    version = __import__("importlib.metadata").metadata.version("mkdocs-material")
    assert search_sections.material_checked(index) is (version == "9.8.2")
    monkeypatch.setattr(search_sections, "MATERIAL_TESTED", frozenset({"another"}))
    monkeypatch.setattr(search_sections, "_CHECKED", {})
    assert search_sections.faster(index, add) is add
