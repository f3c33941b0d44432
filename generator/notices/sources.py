"""Where each sentence of a notice comes from. Three kinds of source exist, and templates name them:

    {% fact "contact.phone", "contact.email" %} … {% endfact %}   a fact in the clinic's data (key paths)
    {% law "NPP-10c" %} … {% endlaw %}                            a statement the law requires (checklist ID)
    {% setting "announce.banner_days" %} … {% endsetting %}       a behaviour of the site a setting turns on

A block's sources apply to every sentence written inside it, nested blocks add theirs. Key paths are
dotted as in error messages (`disclosures.3.to`); a path may be built in the template
(`{% fact "disclosures." ~ loop.index0 %}`), or a list of paths (`{% fact ["name", "legal_name" if clinic.legal_name] %}`:
a false or empty item names nothing).

When no explanation is asked for (every build) the blocks print their body and nothing else. While
`marking()` is on, each block wraps its body in private-use characters that `sentences()` reads back
and removes: the clean text is byte for byte what the build renders.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

KINDS = ("fact", "law", "setting")
_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARKERS = re.compile(f"{_OPEN}([^{_MID}]*){_MID}|{_CLOSE}")
_marking: contextvars.ContextVar[bool] = contextvars.ContextVar("notice_sources_marking", default=False)


@contextlib.contextmanager
def marking() -> Iterator[None]:
    """Render with source marks (for `notices explain` and the tests), never for a published page."""
    token = _marking.set(True)
    try:
        yield
    finally:
        _marking.reset(token)


class SourceExtension(Extension):
    tags = set(KINDS)

    def parse(self, parser: Any) -> nodes.Node:
        token = next(parser.stream)
        kind = token.value
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements((f"name:end{kind}",), drop_needle=True)
        call = self.call_method("_mark", [nodes.Const(kind), nodes.List(keys)])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    @staticmethod
    def _mark(kind: str, keys: list[Any], caller: Any) -> Any:
        body = caller()
        if not _marking.get():
            return body
        # A key may be a list built in the template (the sources that hold for this clinic), or none.
        flat = [x for x in _flatten(keys) if x]
        named = ",".join(str(k) for k in flat)
        if any(c in named for c in (_OPEN, _MID, _CLOSE)):
            raise ValueError(f"a {kind} source name holds a reserved character: {named!r}")
        # The body is rendered text already (values escaped for Markdown as they were printed): adding it
        # to Markup must not escape it again.
        return Markup(f"{_OPEN}{kind}:{named}{_MID}{body}{_CLOSE}")


def _flatten(keys: Any) -> Iterator[Any]:
    # A list may hold lists: the checklist IDs of several regulators, one of which two rules require.
    for k in keys:
        if isinstance(k, (list, tuple)):
            yield from _flatten(k)
        else:
            yield k


@dataclass(frozen=True, order=True)
class Source:
    kind: str  # fact | law | setting
    key: str  # key path (fact, setting) or checklist ID (law)


@dataclass
class Sentence:
    text: str  # as the patient reads it: Markdown marks and escapes removed
    markdown: str  # the sentence's Markdown, as in the notice
    line: int  # 1-based line of the notice's Markdown
    sources: list[Source] = field(default_factory=list)


def strip(marked: str) -> str:
    return _MARKERS.sub("", marked)


def _segments(marked: str) -> list[tuple[str, frozenset[Source]]]:
    out: list[tuple[str, frozenset[Source]]] = []
    stack: list[list[Source]] = []
    pos = 0
    for m in _MARKERS.finditer(marked):
        if m.start() > pos:
            out.append((marked[pos:m.start()], frozenset(s for level in stack for s in level)))
        if m.group(0) == _CLOSE:
            stack.pop()
        else:
            kind, _, names = m.group(1).partition(":")
            stack.append([Source(kind, n) for n in names.split(",") if n])
        pos = m.end()
    if pos < len(marked):
        out.append((marked[pos:], frozenset(s for level in stack for s in level)))
    return out


# A sentence ends at . ! ? (or a closing quote or bracket after one) before white space and a capital,
# a digit, an opening quote, or an inverted mark.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')»”]?\s+(?=[A-Z0-9ÀÂÇÉÈÊÎÔÛ¿¡«“\"(])")
_LETTER = re.compile(r"[^\W\d_]")


def sentences(marked: str) -> list[Sentence]:
    """The notice's sentences, each with the sources of every block it was written in.

    A line of Markdown is a heading, a list item, a table row or a paragraph; lines are cut into
    sentences. Lines without a letter (table rules, blank lines) are not sentences."""
    lines: list[list[tuple[str, frozenset[Source]]]] = [[]]
    for text, srcs in _segments(marked):
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, srcs))
    result: list[Sentence] = []
    for number, line in enumerate(_tidy_lines(lines), start=1):
        raw = "".join(t for t, _ in line)
        if not _LETTER.search(raw):
            continue
        cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(raw)), len(raw)]
        for a, b in zip(cuts, cuts[1:]):
            piece = raw[a:b].strip()
            if not piece or not _LETTER.search(plain(piece)):
                continue
            found: set[Source] = set()
            pos = 0
            for t, srcs in line:
                end = pos + len(t)
                if pos < b and end > a and t[max(a - pos, 0):b - pos].strip():
                    found |= srcs
                pos = end
            result.append(Sentence(plain(piece), piece, number, sorted(found)))
    return result


def _tidy_lines(lines: list[list[tuple[str, frozenset[Source]]]]) -> list[list[tuple[str, frozenset[Source]]]]:
    # The line numbers of the notice as render.py tidies it: leading blank lines dropped, runs of blank
    # lines folded into one.
    out: list[list[tuple[str, frozenset[Source]]]] = []
    blank = True
    for line in lines:
        empty = not "".join(t for t, _ in line).strip()
        if empty and blank:
            continue
        out.append(line)
        blank = empty
    return out


_MD_PREFIX = re.compile(r"^\s*(#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_TAG = re.compile(r"<[^>]+>")
_ATTR_LIST = re.compile(r"\s*\{:[^}]*\}")


def plain(md: str) -> str:
    """A line of our Markdown as read: list and heading marks, emphasis, tags and escapes removed."""
    text = _MD_PREFIX.sub("", md)
    text = _ATTR_LIST.sub("", text)
    text = _TAG.sub("", text)
    text = re.sub(r"\*\*|__", "", text)
    text = re.sub(r"^\||\|$", "", text.strip()).replace(" | ", " · ") if text.strip().startswith("|") else text
    text = _MD_ESCAPE.sub(r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())
