"""`notices new`: the clinic file of a new clinic, with every key of the data model present and explained.

The file is generated from `Clinic.model_fields`, so it never falls behind the model. Each key carries
its description (and its allowed values, for a closed vocabulary) as a comment. The file is valid for
the loader as it stands, except for the few values every clinic must give (name, practice,
jurisdiction): those are empty placeholders (`""`), so `notices check` lists exactly them, with their
lines, until they are filled in. Everything else is at its "not stated" value: empty, `false` or `[]`.

- Optional mappings (`contact.address`, `privacy_contact`, `notifications.smtp`) are left empty, with
  their keys commented out below them: uncomment and fill them to state them.
- Lists are empty, with a commented example item below them showing every key an item can have.
- With a group, every value the group file sets is commented out ("set by group …"): a value written
  in the clinic file would replace the group's.

Writes one new file; never overwrites; prints nothing.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel, HttpUrl
from pydantic.fields import FieldInfo

from ..errors import DataErrors, NoticesError
from .load import SLUG, Project
from .model import Clinic
from .vocab_keys import labels
from .yamlsafe import read_yaml

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/clinic.schema.json"
PLACEHOLDER = '""'
COMMENT_COLUMN_MAX = 44  # trailing comments line up, unless a key's line is longer than this
_MISSING = object()


def scaffold(project: Project, slug: str, group: str | None = None) -> Path:
    """Write clinics/<slug>/clinic.yaml for a new clinic and return its path. Refuses an invalid or
    existing slug and an unknown group (NoticesError); a group file that cannot be read raises its
    DataErrors. Never overwrites a file."""
    if not SLUG.match(slug):
        raise NoticesError(f"{slug!r} is not a valid clinic name: use lower-case letters, digits and dashes, "
                           "starting with a letter or digit, like lux-smiles")
    folder = project.clinic_dir(slug)
    path = folder / "clinic.yaml"
    if path.exists():
        raise NoticesError(f"{project.rel(path)} already exists: `notices new` never overwrites a clinic; "
                           "choose another name, or edit that file")
    if (folder / "versions").exists():
        raise NoticesError(f"{project.rel(folder / 'versions')} already exists: that folder holds another "
                           "clinic's published versions; choose another name, or restore its clinic.yaml from git")
    group_data = _group_data(project, group) if group else None
    text = scaffold_text(slug, group=group, group_data=group_data, known_groups=known_groups(project),
                         words=labels(project.templates_dir, "en"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as fh:  # 'x': never overwrite, even in a race
            fh.write(text)
    except FileExistsError:
        raise NoticesError(f"{project.rel(path)} already exists: `notices new` never overwrites a clinic") from None
    return path


def known_groups(project: Project) -> list[str]:
    if not project.groups_dir.is_dir():
        return []
    return sorted(p.stem for p in project.groups_dir.glob("*.yaml") if SLUG.match(p.stem))


def _group_data(project: Project, group: str) -> dict[str, Any]:
    known = known_groups(project)
    if not SLUG.match(group) or group not in known:
        listed = f"known groups: {', '.join(known)}" if known else \
            f"there are no groups yet: create {project.rel(project.groups_dir)}/{group}.yaml first"
        raise NoticesError(f"no group named {group!r} ({listed})")
    path = project.groups_dir / f"{group}.yaml"
    data, problems = read_yaml(path, project.rel(path))
    if data is None:
        raise DataErrors(problems)
    return data.data


# --------------------------------------------------------------------------------------------------
# The text


def scaffold_text(slug: str, *, group: str | None = None, group_data: dict[str, Any] | None = None,
                  known_groups: list[str] | None = None, words: dict[str, Any] | None = None) -> str:
    """The clinic file's text. Pure: `group_data` is the group file's data, when there is a group;
    `words` the English labels (templates/en/labels.yaml), which word each vocabulary value."""
    out = _Out(group=group, known_groups=known_groups or [], words=words or {})
    out.fields(Clinic, indent=0, path=(), hash_at=None, group_value=group_data if group else _MISSING)
    header = [
        SCHEMA_LINE,
        f"# {slug}: a new clinic, made by `notices new`. Write facts, not sentences:",
        '#   * replace each "" (required) with the clinic\'s value;',
        "#   * fill in what the clinic's current notice states, and leave the rest as it is (empty, false",
        "#     or []): never guess. `notices check` reports what is still missing;",
        "#   * lists: replace [] with items, one per line; the commented lines below a list show an item;",
        "#   * a key that takes set values lists each below it with its English words (`notices vocab KEY`",
        "#     shows them in every language);",
        "#   * to state an optional block (an address, the privacy contact), uncomment its keys.",
        "# Every key is explained in docs/data-model.md; docs/onboarding.md walks through it all.",
    ]
    if group:
        header.append(f"# Values set by the group file groups/{group}.yaml are commented out below: the")
        header.append("# clinic's own value would replace the group's. Uncomment one only to override it.")
    return "\n".join(header + out.render()) + "\n"


@dataclass
class _Line:
    indent: int              # column of the key (or of "- " for a list item's first line)
    text: str                # "key: value", "- key: value" or "- value"
    comment: str = ""
    hash_at: int | None = None  # commented out: "# " written at this column (the commented block's own)


class _Out:
    def __init__(self, group: str | None, known_groups: list[str], words: dict[str, Any]):
        self.group = group
        self.known_groups = known_groups
        self.words = words
        self.lines: list[_Line] = []

    # -- one model's fields ------------------------------------------------------------------------

    def fields(self, model: type[BaseModel], *, indent: int, path: tuple[str, ...], hash_at: int | None,
               group_value: Any, item_dash: bool = False) -> bool:
        """Emit the model's fields. Returns whether any line was left live (not commented out)."""
        live = False
        items = list(model.model_fields.items())
        items.sort(key=lambda kv: kv[0] != "item")  # an entry's `item` first: it is the entry
        for i, (name, field) in enumerate(items):
            key = field.alias or name
            dash = item_dash and i == 0
            sub = group_value.get(key, _MISSING) if isinstance(group_value, dict) else _MISSING
            live |= self.field(key, field, indent=indent, path=path + (key,), hash_at=hash_at,
                               group_value=sub, dash=dash)
        return live

    def field(self, key: str, field: FieldInfo, *, indent: int, path: tuple[str, ...], hash_at: int | None,
              group_value: Any, dash: bool) -> bool:
        at = len(self.lines)
        live = self._field(key, field, indent=indent, path=path, hash_at=hash_at, group_value=group_value, dash=dash)
        kind = _unwrap(field.annotation)[1]
        values = _literal_values(_list_item(kind) if _list_item(kind) is not None else kind)
        if values and len(self.lines) > at:
            # Every allowed value, with its English words, right below the key's own line.
            ind = indent - 2 if dash else indent
            below = self.lines[at].hash_at if self.lines[at].hash_at is not None else ind
            said = self._value_words(values)
            width = max(len(v) for v in values)
            self.lines[at + 1:at + 1] = [_Line(indent + 2, f"{v.ljust(width)}  {said.get(v, '')}".rstrip(), "", below)
                                         for v in values]
        return live

    def _value_words(self, values: list[str]) -> dict[str, str]:
        from .vocab_keys import VocabKey, section, vocabulary_of

        vk = VocabKey("", tuple(values), vocabulary_of(tuple(values)))
        found = self.words.get(section(self.words, vk) or "", {})
        return {v: " ".join(str(found[v]).split()) for v in values if isinstance(found, dict) and found.get(v)}

    def _field(self, key: str, field: FieldInfo, *, indent: int, path: tuple[str, ...], hash_at: int | None,
               group_value: Any, dash: bool) -> bool:
        optional, kind = _unwrap(field.annotation)
        comment = _comment(field, kind, optional)
        prefix = "- " if dash else ""
        ind = indent - 2 if dash else indent  # a list item's first key sits after "- "

        if path == ("$schema",) and hash_at is None:
            # The first line already points editors at the schema; the key stays, commented out.
            self.add(ind, f"{prefix}$schema:", "Path of the JSON Schema, for editors: the first line does this already.", ind)
            return False
        if path == ("group",) and hash_at is None:
            if self.group:
                self.add(ind, f"{prefix}group: {self.group}", f"{comment} Its values apply unless this file sets them.")
                return True
            known = f" Known groups: {', '.join(self.known_groups)}." if self.known_groups else ""
            self.add(ind, f"{prefix}group:", comment + known)
            return True

        if group_value is not _MISSING and hash_at is None:
            if _is_model(kind) and not optional and isinstance(group_value, dict):
                at = len(self.lines)
                self.add(ind, f"{prefix}{key}:", comment)
                any_live = self.fields(kind, indent=indent + 2, path=path, hash_at=None, group_value=group_value)
                if not any_live:  # every key comes from the group: an empty mapping keeps them all
                    self.lines[at].text = f"{prefix}{key}: {{}}"
                return True
            # Shown with the group's value, commented out: written here, it would replace the group's.
            note = f"Set by group {self.group}; uncomment only to override it here."
            if _list_item(kind) is not None:
                note = f"Set by group {self.group}; `{key}+:` adds to its list, `{key}:` replaces it."
            value = _yaml(group_value)
            self.add(ind, f"{prefix}{key}:{' ' + value if value else ''}", f"{note} {comment}", ind)
            return False

        return self._value(key, field, kind, optional, comment, ind, indent, path, hash_at, prefix)

    def _value(self, key: str, field: FieldInfo, kind: Any, optional: bool, comment: str, ind: int, indent: int,
               path: tuple[str, ...], hash_at: int | None, prefix: str) -> bool:
        live = hash_at is None
        if _is_model(kind):
            if optional and live:
                # Left empty (None); its keys follow, commented out, to fill in when the clinic states it.
                self.add(ind, f"{prefix}{key}:", f"{comment} Optional: uncomment the keys below to state it.")
                self.fields(kind, indent=indent + 2, path=path, hash_at=indent + 2, group_value=_MISSING)
            else:
                self.add(ind, f"{prefix}{key}:", comment, hash_at)
                self.fields(kind, indent=indent + 2, path=path, hash_at=hash_at, group_value=_MISSING)
            return live
        item = _list_item(kind)
        if item is not None:
            default = _default(field)
            example_needed = not default
            if example_needed and not live and _is_model(_item_model(item)):
                # Already commented out: show the item itself, ready to uncomment.
                self.add(ind, f"{prefix}{key}:", comment, hash_at)
            else:
                empty = "" if optional and default is None else " []"  # not stated: the usual value
                self.add(ind, f"{prefix}{key}:{' ' + _yaml(default) if default else empty}", comment, hash_at)
                if not live or not example_needed:
                    return live
            self._example_item(item, indent=indent + 2, path=path, hash_at=hash_at if not live else indent + 2)
            return live
        if field.is_required():
            value = PLACEHOLDER
        else:
            value = _yaml(_default(field))
        self.add(ind, f"{prefix}{key}:{' ' + value if value else ''}", comment, hash_at)
        return live

    def _example_item(self, item: Any, *, indent: int, path: tuple[str, ...], hash_at: int) -> None:
        model = _item_model(item)
        if model is not None:
            self.fields(model, indent=indent + 2, path=path, hash_at=hash_at, group_value=_MISSING, item_dash=True)
            return
        values = _literal_values(item)
        self.add(indent, f"- {_yaml(values[0]) if values else PLACEHOLDER}", "An example: one item per line.", hash_at)

    def add(self, indent: int, text: str, comment: str = "", hash_at: int | None = None) -> None:
        self.lines.append(_Line(indent, text, comment.strip(), hash_at))

    # -- rendering ---------------------------------------------------------------------------------

    def render(self) -> list[str]:
        code = []
        for line in self.lines:
            if line.hash_at is None:
                code.append(" " * line.indent + line.text)
            else:
                code.append(" " * line.hash_at + "# " + " " * (line.indent - line.hash_at) + line.text)
        # Trailing comments line up among siblings: the keys of one mapping, across their children.
        groups: list[int] = []
        stack: list[tuple[int, int]] = []  # (key column, line index) of the open parents
        for i, line in enumerate(self.lines):
            col = line.indent + (2 if line.text.startswith("- ") else 0)
            while stack and stack[-1][0] >= col:
                stack.pop()
            groups.append(stack[-1][1] if stack else -1)
            stack.append((col, i))
        width: dict[int, int] = {}
        for i, text in enumerate(code):
            if self.lines[i].comment and len(text) <= COMMENT_COLUMN_MAX:
                width[groups[i]] = max(width.get(groups[i], 0), len(text))
        return [f"{text.ljust(width.get(groups[i], 0))}  # {self.lines[i].comment}" if self.lines[i].comment
                else text for i, text in enumerate(code)]


# --------------------------------------------------------------------------------------------------
# Types and comments


def _unwrap(annotation: Any) -> tuple[bool, Any]:
    """(optional, the type inside Optional[...] and Annotated[...])."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = typing.get_args(annotation)
            rest = [a for a in args if a is not type(None)]
            if len(rest) < len(args):
                optional = True
                if len(rest) == 1:
                    annotation = rest[0]
                    continue
                annotation = functools.reduce(operator.or_, rest)
        return optional, annotation


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _list_item(kind: Any) -> Any:
    if typing.get_origin(kind) is list:
        return _unwrap(typing.get_args(kind)[0])[1]
    return None


def _item_model(item: Any) -> type[BaseModel] | None:
    """The model of a list's items: the item itself, or the entry of a `name | {item, when, via}` union."""
    if _is_model(item):
        return item  # type: ignore[no-any-return]
    for arg in typing.get_args(item) if typing.get_origin(item) in (Union, types.UnionType) else ():
        if _is_model(arg):
            return arg  # type: ignore[no-any-return]
    return None


def _literal_values(kind: Any) -> list[str]:
    kind = _unwrap(kind)[1]
    if typing.get_origin(kind) is Literal:
        return [str(v) for v in typing.get_args(kind)]
    for arg in typing.get_args(kind) if typing.get_origin(kind) in (Union, types.UnionType) else ():
        values = _literal_values(arg)
        if values:
            return values
    return []


def _default(field: FieldInfo) -> Any:
    if field.is_required():
        return None
    return field.get_default(call_default_factory=True)


def _yaml(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(k)}: {_yaml(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if re.fullmatch(r"[a-z_][a-z0-9_]*", text) and text not in {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}:
        return text
    return json.dumps(text, ensure_ascii=False)


def _validators(annotation: Any) -> set[str]:
    """Names of the AfterValidator functions anywhere in an annotation, to recognise phones, colours…"""
    names: set[str] = set()
    for arg in typing.get_args(annotation):
        names |= _validators(arg)
        func = getattr(arg, "func", None)
        if func is not None:
            names.add(getattr(func, "__name__", ""))
    return names


def _comment(field: FieldInfo, kind: Any, optional: bool) -> str:
    parts: list[str] = []
    if field.is_required():
        parts.append("Required.")
    description = field.description
    if not description and _is_model(kind):
        description = (kind.__dict__.get("__doc__") or "").strip().split("\n")[0]
    if description:
        parts.append(description if description.endswith((".", "?", ")")) else description + ".")
    item = _list_item(kind)
    if item is not None:
        model = _item_model(item)
        values = _literal_values(item)
        if model is not None and values:
            parts.append("Each item is a name from those below, or a mapping like the example.")
        elif values:
            parts.append("Any of the values below.")
        elif model is not None:
            parts.append("A list of mappings like the commented example.")
        return " ".join(parts)
    values = _literal_values(kind)
    if values:
        if not all(re.search(rf"\b{re.escape(v)}\b", description or "") for v in values):
            parts.append(f"One of: {', '.join(values)}." if len(values) <= 3 else "One of the values below.")
        return " ".join(parts)
    hint, marker = _hint(field, kind, optional)
    if hint and marker.lower() not in (description or "").lower():
        parts.append(hint)
    return " ".join(parts)


def _hint(field: FieldInfo, kind: Any, optional: bool) -> tuple[str, str]:
    """A short hint on how to write the value, and the word that makes it redundant in a description."""
    if kind is bool:
        return ("true or false; empty if not stated.", "\0") if optional else ("", "")
    if kind is int:
        low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
        high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
        if low is not None and high is not None:
            return f"A whole number from {low} to {high}.", "\0"
        return "A whole number.", "\0"
    checks = _validators(field.annotation) | {m.func.__name__ for m in field.metadata if hasattr(m, "func")}
    if "_check_phone" in checks:
        return "A phone number, like (719) 555-0100.", "\0"
    if "_check_colour" in checks:
        return "A colour as #rrggbb, in quotes.", "#rrggbb"
    if "_check_logo" in checks:
        return "A file in this folder, like logo.svg.", "logo.svg"
    if "_check_csv" in checks:
        return "A .csv file in this folder.", "csv"
    if isinstance(kind, type) and issubclass(kind, HttpUrl):
        return "A full web address, like https://example.com/.", "https://"
    if getattr(kind, "__name__", "") == "EmailStr":
        return "An email address.", "\0"
    return "", ""
