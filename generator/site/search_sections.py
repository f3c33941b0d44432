"""A page's HTML cut into the sections Material's search indexes, without html.parser, for the HTML
Markdown and our templates write.

Material's search feeds every searched page to its `Parser` (an html.parser.HTMLParser): about a fifth
of a clinic's first build, most of it in html.parser's pure-Python tokenizer and in the parser's
per-tag checks, which compare Python objects by tag. `sections(html)` gives the same sections (title,
text, id, excluded or not), with the same rules, reading tags as plain strings, for HTML in a narrow
form: start tags of lower-case names with double-quoted attribute values without `<`, `>` or `"`,
plain end tags, comments with nothing but words in them, `<style>` blocks without `<`, text without
`<`. Anything else (a script, a processing instruction, an unquoted value, a tag in capitals, a
stray `<`) gives None, and the caller hands the page to Material's own parser: in that narrow form every
version of html.parser reads the same tokens, and the rules below are Material's, step for step.

The rules are those of material/plugins/search/plugin.py (Parser, Section, Element): `faster` uses
this only while that file is one it was checked against (MATERIAL_TESTED, by digest; Material 9.8.2),
and tests/test_search_sections.py compares the two on every example site's pages and on generated HTML.
Imports nothing from Material: the search index handed to `faster` says where its plugin is.
"""

from __future__ import annotations

import hashlib
import re
import sys
from html import escape, unescape
from typing import Any, Callable

ENABLED = True
MATERIAL_TESTED = frozenset({"51b5fe3e5ee1e5a5f62b84ef45b3a136"})  # plugin.py of Material 9.8.2
STATS = {"pages_cut_here": 0, "pages_given_to_material": 0}
_CHECKED: dict[str, bool] = {}

_TOKEN = re.compile(
    r'<([a-z][a-z0-9]*)((?:[ \n]+[a-z][-a-z0-9_:.]*(?:="[^"<>]*")?)*)[ \n]*(/?)>'  # a start tag
    r"|</([a-z][a-z0-9]*)>"  # an end tag
    r"|<!--[^<>!-]*-->"  # a comment with words only
    r"|([^<]+)"  # text
)
_ATTR = re.compile(r'[ \n]+([a-z][-a-z0-9_:.]*)(?:="([^"<>]*)")?')
_STYLE_BODY = re.compile(r"[^<]*</style>")
_RAW_TEXT = frozenset(("script", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                       "noscript", "plaintext", "template", "svg", "math"))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"))
_HEADINGS = frozenset(f"h{x}" for x in range(1, 7))
_KEEP = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
_ALWAYS_SKIPPED = ("script", "style", "object")


def material_checked(index: Any) -> bool:
    """Whether the search plugin `index` comes from is the source these rules were checked against."""
    module = sys.modules.get(type(index).__module__)
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return False
    if path not in _CHECKED:
        try:
            with open(path, "rb") as fh:
                _CHECKED[path] = hashlib.blake2b(fh.read(), digest_size=16).hexdigest() in MATERIAL_TESTED
        except OSError:
            _CHECKED[path] = False
    return _CHECKED[path]


def faster(index: Any, add: Callable[[Any], None]) -> Callable[[Any], None]:
    """Material's `index.add_entry_from_context` (`add`), with each page's sections cut here where its
    HTML is in the narrow form: the same entries, in the same order."""
    if not ENABLED or not material_checked(index):
        return add

    def add_entry_from_context(page: Any) -> None:
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        found = sections(page.content)
        if found is None:
            STATS["pages_given_to_material"] += 1
            add(page)
            return
        STATS["pages_cut_here"] += 1
        for section in found:
            if not section.is_excluded():
                index.create_entry_for_section(section, page.toc, page.url, page)

    return add_entry_from_context


class Section:
    """What Material's search makes an entry of: a heading's title and the text after it."""

    __slots__ = ("tag", "excluded", "depth", "text", "title", "id")

    def __init__(self, tag: str, depth: float = 0, excluded: bool = False) -> None:
        self.tag = tag
        self.excluded = excluded
        self.depth = depth
        self.text: list[str] = []
        self.title: list[str] = []
        self.id: str | None = None

    def is_excluded(self) -> bool:
        return self.excluded


def sections(html: object) -> list[Section] | None:
    """The sections of `html` as Material's search parser makes them, or None: not in the narrow form."""
    if not isinstance(html, str):
        return None
    try:
        return _Reader().read(html)
    except (ValueError, IndexError):
        return None  # Material's parser fails on it too, or reads it some other way: it is asked


class _Reader:
    def __init__(self) -> None:
        self.context: list[str] = []  # the open elements' tags, as Material compares its elements
        self.links: list[bool] = []  # whether each is a permalink (<a class="headerlink">)
        self.skip = set(_ALWAYS_SKIPPED)  # tags whose contents are not indexed
        self.section: Section | None = None
        self.data: list[Section] = []

    def read(self, html: str) -> list[Section] | None:
        pos, end = 0, len(html)
        token = _TOKEN.match
        while pos < end:
            m = token(html, pos)
            if m is None:
                return None
            pos = m.end()
            kind = m.lastindex  # 5 text, 4 end tag, 3 start tag, None a comment
            if kind == 5:
                text = m.group(5)
                if "&" in text:
                    if pos == end:
                        return None  # html.parser may hold back a trailing reference
                    text = unescape(text)
                self.handle_data(text)
            elif kind == 4:
                self.handle_endtag(m.group(4))
            elif kind == 3:
                tag, written, closed = m.groups()[:3]
                if tag in _RAW_TEXT:  # read by html.parser as text up to its end tag: left to it
                    return None
                attrs: dict[str, str | None] = {}
                if written:
                    for a in _ATTR.finditer(written):
                        value = a.group(2)
                        attrs[a.group(1)] = unescape(value) if value and "&" in value else value
                if tag == "style":
                    body = _STYLE_BODY.match(html, pos)
                    if closed or body is None:
                        return None
                    # its text is not indexed (Material skips a style's contents), so it is not read
                    self.handle_starttag(tag, attrs)
                    self.handle_endtag(tag)
                    pos = body.end()
                    continue
                self.handle_starttag(tag, attrs)
                if closed:
                    self.handle_endtag(tag)
        return self.data

    def _open_section(self) -> Section:
        if self.section is None:
            self.section = Section("hx")
            self.data.append(self.section)
        return self.section

    def handle_starttag(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in _VOID:
            return
        self.context.append(tag)
        self.links.append(tag == "a" and attrs.get("class") == "headerlink")
        if tag in _HEADINGS:
            depth = len(self.context)
            if "id" in attrs:
                if tag != "h1" and not self.data:
                    self.section = Section("hx", depth)
                    self.data.append(self.section)
                self.section = Section(tag, depth, "data-search-exclude" in attrs)
                if self.data:
                    self.section.id = attrs["id"]
                self.data.append(self.section)
        section = self._open_section()
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            self.skip.add(tag)
            return
        if tag in _KEEP and self.skip.isdisjoint(self.context):
            (section.title if section.tag in self.context else section.text).append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        context = self.context
        if not context or context[-1] != tag:
            return
        section = self.section
        if section is None:
            raise ValueError("an element open without a section")  # cannot be: a start tag made one
        if section.depth > len(context):
            for earlier in reversed(self.data):
                if earlier.depth <= len(context):
                    section.depth = float("inf")
                    self.section = section = earlier
                    break
        context.pop()
        self.links.pop()
        if tag in self.skip:
            if tag not in _ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in _KEEP and self.skip.isdisjoint(context):
            data = section.title if section.tag in context else section.text
            index = data.index(f"<{tag}>")
            for i in range(index + 1, len(data)):
                if not data[i].isspace():
                    index = len(data)
                    break
            if len(data) > index:
                del data[index:]
            else:
                data.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        context = self.context
        if not self.skip.isdisjoint(context):
            return
        pre = "pre" in context
        if not pre:
            data = data.replace("\n", " ") if not data.isspace() else " "
        section = self._open_section()
        if section.tag in context:
            if not any(self.links):
                section.title.append(escape(data, quote=False))
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or pre:
                section.text.append(data)
        else:
            section.text.append(escape(data, quote=False))
