"""Parts of a page converted once and reused, and blocks of HTML put in place unconverted (see PART_START)."""

from __future__ import annotations

import copy
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .theme_cache import _STATS

# Parts of a page between these markers are converted once per site: a later page with a part of the
# same Markdown gets the first one's HTML and headings (table of contents). The notice pages mark each
# section of a notice's text: a notice's page and the page of the version it shows have them all in
# common, and successive versions most of them. The embeds take a notice's HTML from its page too.
# The result is byte-identical to converting every page whole (tested); where it might not be (a
# relative link, a heading whose id or nesting depends on the rest of the page) the page is converted
# whole.
PART_START, PART_END = "<!-- part -->", "<!-- /part -->"
# The blocks around a notice's text (its banner, stamp, links, footer) are marked as parts of their own,
# which the embeds leave out: they repeat from page to page, and from clinic to clinic.
AROUND_START, AROUND_END = "<!-- part around -->", "<!-- /part around -->"
# A block around the text written as HTML by the templates (generator/notices/render.py, finalize):
# Markdown keeps such a block as it is written, so the site builder puts it in place without converting
# it (`raw_part`). Most of these blocks differ from page to page (a date, a version), and converting
# them cost more than the notice's text, whose parts are reused.
RAW_START, RAW_END = "<!-- part html -->", "<!-- /part html -->"
REUSE_PARTS = True
RAW_PARTS = True  # blocks marked RAW_START put in place unconverted
_PLACEHOLDER = "CLINICNOTICESREUSEDPART"
# A relative address, which MkDocs resolves against the page: a part holding one is not reused, unless
# it is a folder's address (ending in "/", as pages.py `page_url` writes links between pages) written so
# in the part's Markdown. MkDocs leaves such a link as written wherever no file of the site has the
# name it resolves to (checked on each page it is reused on), so it reads the same on every page.
_RELATIVE = re.compile(r'\b(?:href|src)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^"]*)"')
_FOLDER = re.compile(r'[^"#?]*/(?:#[^"]*)?')
_ID = re.compile(r'\bid="([^"]*)"')
_MARKER = re.compile(r"<!-- (/?)part( around| html)? -->")
# What Markdown keeps exactly as written (its NormalizeWhitespace changes none of it): a block-level
# element first (not one Markdown would convert inside), no tab, carriage return, Markdown's own
# placeholder characters, or line of spaces.
_RAW_BLOCK = re.compile(r"\n\n<(?:div|p|ol)[ >][^\t\r\x02\x03]*\n\n")
_SPACES_LINE = re.compile(r"\n +\n")
# Converted parts by the Markdown settings they were converted with, for every site of this process:
# sites of one group, or of one language, share most of their sections. A part's HTML depends only on
# its Markdown and those settings, except where `_part_of` refuses it (relative links, numbered ids).
_SHARED: dict[str, dict[str, "_Part | None"]] = {}
_SHARED_LIMIT = 20000  # parts kept per process before starting afresh (about 100 MB at most)


def shared(extensions: list, configs: dict, kind: str = "parts") -> dict:
    """The parts converted with these Markdown extensions and settings, by their Markdown (or, for another
    `kind`, other things converted with them). Settings that are not plain data (an extension or
    function given as an object) share nothing: a fresh store."""
    try:
        key = json.dumps([kind, extensions, configs], sort_keys=True)
    except (TypeError, ValueError):
        return {}
    if sum(len(parts) for parts in _SHARED.values()) > _SHARED_LIMIT:
        _SHARED.clear()
    return _SHARED.setdefault(key, {})


def clear_shared() -> None:
    _SHARED.clear()


def marked_parts(text: str, text_only: bool = False) -> list[tuple[int, int]]:
    """(start, end) of what lies inside each pair of markers, in order; [] unless they pair up. With
    `text_only`, only the parts of a notice's text (not those around it)."""
    spans, start, kind = [], None, None
    for m in _MARKER.finditer(text):
        opening = not m.group(1)
        if opening == (start is not None) or (not opening and m.group(2) != kind):
            return []  # nested, a closing marker without its opening one, or of another kind
        if opening:
            start, kind = m.end(), m.group(2)
        else:
            if not (text_only and kind):
                spans.append((start, m.start()))
            start = None
    return [] if start is not None else spans


def raw_part(markdown: str, start: int, end: int) -> "_Part | None":
    """The HTML of a part marked RAW_START that Markdown would write as it stands, or None (converted)."""
    if not markdown.startswith(RAW_START, start - len(RAW_START)):
        return None
    text = markdown[start:end]
    if not _RAW_BLOCK.fullmatch(text) or _SPACES_LINE.search(text) or 'markdown="' in text:
        return None
    return _Part(text, [], frozenset(_ID.findall(text)))
def without_markers(html: str) -> str:
    """Converted HTML from the first part of the notice's text to the last, with the marker lines taken
    out (and the parts around the text left out)."""
    spans = marked_parts(html, text_only=True)
    if not spans:
        return html
    inner = html[spans[0][0]:spans[-1][1]]
    # Each run of markers, with the white space around them, becomes one newline (blocks: one newline
    # apart). Cut at the markers rather than by a pattern that starts with white space, which is tried
    # at every character of the page.
    pieces = _MARKER.split(inner)[::3]  # the text between markers (split also gives the two groups)
    out = [pieces[0].rstrip() if len(pieces) > 1 else pieces[0]]
    for i, piece in enumerate(pieces[1:], 1):
        piece = piece.lstrip() if i == len(pieces) - 1 else piece.strip()
        if piece or i == len(pieces) - 1:
            out.append(piece)
    return "\n".join(out).strip("\n")
@dataclass(frozen=True)
class _Part:
    html: str
    items: list  # the part's top headings (mkdocs.structure.toc.AnchorLink, with their children)
    ids: frozenset[str]  # every id in the part
    links: tuple[str, ...] = ()  # its relative links (folders' addresses, written so in its Markdown)
def names_a_file(part: _Part, page_src: str, bare: set[str]) -> bool:
    """Whether one of the part's links, on this page, names one of the site's files without a suffix
    (MkDocs would then rewrite it, so the part's HTML would not hold here)."""
    folder = posixpath.dirname(page_src)
    return any(posixpath.normpath(posixpath.join(folder, link.split("#")[0])) in bare for link in part.links)
def _walk(items: list) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _walk(item.children)
def _part_of(part: str, toc: Any, markdown: str = "") -> _Part | None:
    """A converted part, if it can serve another page as it is; `markdown`: what it was converted from."""
    ids = frozenset(_ID.findall(part))
    links = tuple(dict.fromkeys(m.group(1) for m in _RELATIVE.finditer(part)))
    if any(not (m.group(0).startswith("href") and _FOLDER.fullmatch(m.group(1))
                and f"]({m.group(1)})" in markdown) for m in _RELATIVE.finditer(part)):
        return None  # resolved against this page's place
    if any(re.search(r"_\d+$", i) for i in ids):
        return None  # numbered after a heading outside the part
    run = _toc_run(list(toc.items), ids)
    if run is None or {item.id for item in _walk(run)} != {i.id for i in _walk(list(toc.items)) if i.id in ids}:
        return None
    if run and (len({item.level for item in run}) != 1 or not {i.id for i in _walk(run)} <= ids):
        return None
    return _Part(part, run, ids, links)
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
def _clone(items: list) -> list:
    """A copy of table-of-contents items for one page: each item's own attributes are plain (title, id,
    level), its children a list of items (mkdocs.structure.toc.AnchorLink): 19 µs against deepcopy's 80 for 12 items."""
    out = []
    for item in items:
        twin = copy.copy(item)
        twin.children = _clone(item.children)
        out.append(twin)
    return out
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
            items = _clone(part.items)
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


ONLY_MARKERS = re.compile(r"\s*<!-- /part(?: around| html)? -->\s*<!-- part(?: around| html)? -->\s*")


def expanded(html: str, runs: list[tuple[int, list[str]]]) -> str:
    """The converted page as if each reused part had had a placeholder of its own (what _splice_all
    expects), with what Markdown wrote between two placeholders on an earlier page for the same text.
    A placeholder not found once is left for _splice_all to refuse."""
    for first, gaps in runs:
        single = f"<p>{_PLACEHOLDER}{first}</p>"
        if not gaps or html.count(single) != 1:
            continue
        pieces = [single]
        for n, gap in enumerate(gaps, first + 1):
            pieces += [gap, f"<p>{_PLACEHOLDER}{n}</p>"]
        html = html.replace(single, "".join(pieces))
    return html


FRONT_MEMO = True
_FRONT = re.compile(r"---\n(?:[ a-z:\[\],]+\n)+---\n\n")
_METAS: dict[str, dict] = {}


def front_matter(markdown: str, get_data: Callable[[str], tuple[str, dict]]) -> tuple[dict, str] | None:
    """(meta, the rest) of a page whose front matter is of the plain form pages.py `_front` writes and
    whose rest MkDocs' `get_data` (given by the builder) leaves as it is (it opens with a heading, no
    carriage return); the meta is what `get_data` makes of that front matter, parsed once per text."""
    m = _FRONT.match(markdown) if FRONT_MEMO else None
    if m is None or not markdown.startswith("# ", m.end()) or "\r" in markdown:
        return None
    if m.group(0) not in _METAS:
        rest, meta = get_data(m.group(0) + "# x\n")
        if rest != "# x\n":
            return None
        _METAS[m.group(0)] = meta
    _STATS["fronts_read_once"] += 1
    return _METAS[m.group(0)], markdown[m.end():]
