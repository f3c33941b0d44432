"""Patterns that were tried at every character of a page, replaced by text searches: each gives what
the pattern gave, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from generator.announcing.embed import _HREF, _IDREF, _at_word_start
from generator.notices.pages import LONG_NOTICE_SECTIONS, _long, _sections_at, marked
from generator.notices.render import _as_text
from generator.site.parts import _MARKER, PART_END, PART_START, marked_parts, without_markers

_BITS = ["", " ", "\n", "\n\n", "\t", "\xa0", "\u2028", "x", "é", "_", "1", "<p>y</p>", "## ", "#", "\r"]


def _old_without_markers(html: str) -> str:
    spans = marked_parts(html, text_only=True)
    if not spans:
        return html
    inner = html[spans[0][0]:spans[-1][1]]
    return re.sub(r"(?:\s*(?:" + _MARKER.pattern + r"))+\s*", "\n", inner).strip("\n")


_FILL = st.lists(st.sampled_from(_BITS), max_size=4).map("".join)
_KIND = st.sampled_from(["", " around", " html"])
_PART = st.tuples(_KIND, _FILL, _FILL).map(lambda p: f"<!-- part{p[0]} -->{p[1]}<!-- /part{p[0]} -->{p[2]}")
_MARKED = st.tuples(_FILL, st.lists(_PART, min_size=1, max_size=5)).map(lambda t: t[0] + "".join(t[1]))


@settings(max_examples=500, deadline=None)
@given(_MARKED)
def test_markers_are_taken_out_as_the_pattern_took_them_out(html):
    assert without_markers(html) == _old_without_markers(html)


_ATTRS = st.lists(st.sampled_from(['id="', 'href="#', 'href="', '"', "x", "_", "é", "1", " ", "-", "<a ", "#",
                                   "i", "d", "=", "h", "\u0660", "·"]), max_size=14).map("".join)


@settings(max_examples=500, deadline=None)
@given(_ATTRS)
def test_ids_and_links_are_found_where_a_word_starts_as_by_the_pattern(text):
    def show(m: re.Match[str]) -> str:
        return f"[{m.group(0)}]"

    assert _at_word_start(_IDREF, show, text) == re.sub(r'\b(id="|href="#)([^"]*)"', show, text)
    assert _at_word_start(_HREF, show, text) == re.sub(r'\bhref="([^"]*)"', show, text)


_MARKDOWN = st.lists(st.sampled_from(_BITS), max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(_MARKDOWN)
def test_sections_are_cut_where_the_pattern_cut_them(markdown):
    chunks = [c.strip("\n") for c in re.split(r"(?m)^(?=## )", markdown)]
    assert marked(markdown, True) == "".join(f"{PART_START}\n\n{c}\n\n{PART_END}\n\n" for c in chunks if c.strip())
    assert len(_sections_at(markdown)) == len(re.findall(r"(?m)^## ", markdown))
    assert _long(markdown) == (len(re.findall(r"(?m)^## ", markdown)) >= LONG_NOTICE_SECTIONS)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\x1c", "\x85", "\xa0", "\u2000",
                                         "\u2028", "\u3000", "a", "é", "\u200b"]), max_size=8))
def test_printed_values_have_runs_of_white_space_made_one_space(text):
    assert _as_text(text) == re.sub(r"\s+", " ", text)
