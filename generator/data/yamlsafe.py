"""Reading untrusted YAML: plain data only, every key's line kept, nothing surprising accepted.

PyYAML's safe loader already refuses to build Python objects, but it still accepts duplicate keys
(the last silently wins), anchors and aliases (a few lines can expand to gigabytes once copied),
and YAML 1.1 booleans (`region: ON` would become True). We compose the node graph, then build the
data ourselves so that each of these is refused with its line. So are values nested deeper than any
clinic's data goes (a few hundred levels would exhaust Python's stack) and text holding a character
that XML 1.0 cannot carry (feeds and sitemaps are XML; a double-quoted "\uFFFE" or "\x00" gets past
the YAML reader, which only refuses such characters written as they are).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem

MAX_BYTES = 1_000_000
# The deepest key of the data model is five levels down (cookies.items.0.pages.0).
MAX_DEPTH = 16
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
KeyPath = tuple[Any, ...]


@dataclass(frozen=True)
class Loc:
    file: str
    line: int
    column: int


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so ON, no, yes stay strings."""


# libyaml's parser, when PyYAML was built with it, composes the same nodes (with the same marks) about
# ten times faster; the tags are still resolved in Python, by the same resolvers.
_CLoader = type("_CLoader", (yaml.CSafeLoader,), {}) if yaml.__with_libyaml__ else None

for _cls in filter(None, (_Loader, _CLoader)):
    _cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp")
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class YamlFile:
    """The data of one YAML file, with the location of every key and list item."""

    def __init__(self, data: Any, locations: dict[KeyPath, Loc]):
        self.data = data
        self.locations = locations


def read_yaml(path: Path, shown_as: str) -> tuple[YamlFile | None, list[Problem]]:
    """Return the file's data, or the problems that stop it being read. Never raises for bad input."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown_as, None, None, "", f"cannot be read: {exc.strerror}", "check the path")]
    if len(raw) > MAX_BYTES:
        return None, [Problem(shown_as, None, None, "", f"is {len(raw)} bytes, over the {MAX_BYTES} limit",
                              "a clinic file is a few kilobytes; split shared data into a group file")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(shown_as, line, column, "", f"is not UTF-8 text (byte {exc.start})",
                              "save the file as UTF-8")]
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        line, column = _Lines(text).of(exc.problem_mark or exc.context_mark)
        msg = f"is not valid YAML: {exc.problem or exc.context}"
        return None, [Problem(shown_as, line, column, "", msg, "check indentation, colons and quotes on this line")]
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        return None, [Problem(shown_as, line, column, "",
                              f"is not valid YAML: it holds the character U+{exc.character:04X}, which YAML does not allow",
                              "remove it; it was probably pasted in with other text")]
    except _TooDeep as exc:
        return None, [Problem(shown_as, exc.line, exc.column, "",
                              f"is not valid YAML for clinic data: it nests values more than {MAX_DEPTH} levels deep",
                              "clinic data is a few levels deep; check the brackets and indentation here")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown_as, 1, 1, "", f"is not valid YAML: {' '.join(str(exc).split())}",
                              "check the file's syntax")]
    if node is None:
        return YamlFile({}, {}), []
    lines = _Lines(text)
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(shown_as, *lines.of(node.start_mark), "",
                              "must be a mapping of keys to values at the top level",
                              "start the file with `name: ...` and the other keys")]
    builder = _Builder(shown_as, lines)
    data = builder.build(node, ())
    if builder.problems:
        return None, builder.problems
    if not isinstance(data, dict):  # a tagged mapping, or an alias of one: reported above
        return None, [Problem(shown_as, *lines.of(node.start_mark), "",
                              "must be a mapping of keys to values at the top level",
                              "start the file with `name: ...` and the other keys")]
    return YamlFile(data, builder.locations), []


class _TooDeep(Exception):
    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


class _Lines:
    """Line and column of a YAML mark as an editor shows them.

    YAML also breaks lines at U+0085, U+2028 and U+2029, so its own mark.line can point past the
    last line an editor (or `wc -l`) counts; the mark's character index is the same either way."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def of(self, mark: yaml.Mark | None) -> tuple[int, int]:
        if mark is None:
            return 1, 1
        line = bisect.bisect_right(self._starts, mark.index)
        return line, mark.index - self._starts[line - 1] + 1


def _compose(text: str) -> yaml.Node | None:
    if _CLoader is not None:
        try:
            return yaml.compose(text, Loader=_CLoader)
        except yaml.YAMLError:
            # The pure-Python parser's messages are the ones our users see (and tests expect); but
            # its composer would first recurse through a deep nest, slowly, to the end of the stack.
            _check_depth(text, _CLoader)
    try:
        return yaml.compose(text, Loader=_Loader)
    except RecursionError:
        _check_depth(text, _Loader)
        raise


def _check_depth(text: str, loader: type) -> None:
    # The composers recurse once per level; the parsers do not, so their events find the place.
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeep(*_Lines(text).of(event.start_mark))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass  # not too deep before the error: the error is what to report


class _Builder:
    def __init__(self, shown_as: str, lines: _Lines):
        self.shown_as = shown_as
        self._lines = lines
        self.locations: dict[KeyPath, Loc] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self._alias_reported = False
        self._constructor = _Loader("")

    def _loc(self, node: yaml.Node) -> Loc:
        return Loc(self.shown_as, *self._lines.of(node.start_mark))

    def _problem(self, node: yaml.Node, path: KeyPath, message: str, hint: str) -> None:
        loc = self._loc(node)
        self.problems.append(Problem(self.shown_as, loc.line, loc.column, dotted(path), message, hint))

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        # The composer hands back the very same node for every alias of an anchor.
        if id(node) in self._seen and not isinstance(node, yaml.ScalarNode):
            if not self._alias_reported:  # one message is enough; an alias bomb would make thousands
                self._alias_reported = True
                self._problem(node, path, "anchors and aliases (&name, *name) are not supported",
                              "write the value out, or move shared values into a group file")
            return None
        self._seen.add(id(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and len(path) >= MAX_DEPTH:
            self._problem(node, path, f"is nested more than {MAX_DEPTH} levels deep",
                          "clinic data is a few levels deep; check the brackets and indentation here")
            return None
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                return self._bad_tag(node, path)
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                return self._bad_tag(node, path)
            items = []
            for i, child in enumerate(node.value):
                self.locations[path + (i,)] = self._loc(child)
                items.append(self.build(child, path + (i,)))
            return items
        if node.tag not in _PLAIN_TAGS:
            return self._bad_tag(node, path)
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self._problem(node, path, f"cannot be read: {exc}", "write a plain value")
            return None
        if isinstance(value, str) and self._unpublishable(node, path, value, "the value"):
            return None
        return value

    def _unpublishable(self, node: yaml.Node, path: KeyPath, text: str, what: str) -> bool:
        bad = NOT_XML.search(text)
        if bad:
            self._problem(node, path, f"{what} holds the character U+{ord(bad.group()):04X}, which cannot be published",
                          "remove it; it was probably pasted in with other text")
        return bad is not None

    def _bad_tag(self, node: yaml.Node, path: KeyPath) -> None:
        self._problem(node, path, f"the YAML tag {node.tag!r} is not allowed",
                      "clinic data is plain text, numbers, lists and mappings; remove the tag")
        return None

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, path, "merge keys (<<) are not supported",
                              "write the keys out, or use a group file")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                self._problem(key_node, path, "every key must be plain text", "write the key as a word")
                continue
            key = key_node.value
            loc = self._loc(key_node)
            if self._unpublishable(key_node, path + (key,), key, "the key"):
                continue
            if key in out:
                self._problem(key_node, path + (key,), f"duplicate key (first given on line {first_line[key]})",
                              "keep one of the two")
                continue
            first_line[key] = loc.line
            self.locations[path + (key,)] = loc
            out[key] = self.build(value_node, path + (key,))
        return out


def dotted(path: KeyPath) -> str:
    # A key that is empty, has a dot or spaces at its ends would make the path ambiguous: quoted.
    return ".".join(f'"{p}"' if isinstance(p, str) and (not p or "." in p or p.strip() != p) else str(p)
                    for p in path)
