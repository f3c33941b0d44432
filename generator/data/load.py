"""Clinic files → validated `Clinic` models: group merge, then validation, every problem with its line.

Merge rule (documented in docs/data-model.md): a clinic file's values override its group file's.
Mappings merge key by key, at every depth. A scalar or a list in the clinic file replaces the group's
value whole. To add to a group's list instead, write the key with a `+` suffix (`service_providers+:`):
the clinic's items come after the group's.
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from ..errors import DataErrors, Problem
from ..project import SLUG, Project, check_slug  # noqa: F401  (where they used to live)
from .model import Clinic
from .yamlsafe import KeyPath, Loc, YamlFile, dotted, read_yaml

APPEND = "+"


@dataclass(frozen=True)
class LoadedClinic:
    slug: str
    clinic: Clinic
    files: tuple[Path, ...]  # the clinic file and its group file: what its output depends on
    locations: dict[KeyPath, Loc]


def load_clinics(project: Project, slugs: Iterable[str] | None = None) -> list[LoadedClinic]:
    """Load and validate the named clinics (all by default). Raises DataErrors with every problem found."""
    wanted = list(slugs) if slugs else project.slugs()
    problems: list[Problem] = []
    loaded: list[LoadedClinic] = []
    for slug in wanted:
        bad = check_slug(project, slug)
        if bad:
            problems.append(bad)
            continue
        result, found = load_clinic(project, slug)
        problems += found
        if result:
            loaded.append(result)
    if problems:
        raise DataErrors(problems)
    return loaded


def load_clinic(project: Project, slug: str) -> tuple[LoadedClinic | None, list[Problem]]:
    path = project.clinic_dir(slug) / "clinic.yaml"
    shown = project.rel(path)
    own, problems = read_yaml(path, shown)
    if own is None:
        return None, problems
    files = [path]
    merged = own
    group = own.data.get("group")
    if isinstance(group, str) and SLUG.match(group):
        group_path = project.groups_dir / f"{group}.yaml"
        if not group_path.is_file():
            loc = own.locations.get(("group",))
            known = sorted(p.stem for p in project.groups_dir.glob("*.yaml")) if project.groups_dir.is_dir() else []
            close = difflib.get_close_matches(group, known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"create {project.rel(group_path)}"
            return None, [Problem(shown, loc.line if loc else None, loc.column if loc else None, "group",
                                  f"no group file {project.rel(group_path)}", hint)]
        base, problems = read_yaml(group_path, project.rel(group_path))
        if base is None:
            return None, problems
        if "group" in base.data:
            loc = base.locations[("group",)]
            return None, [Problem(loc.file, loc.line, loc.column, "group", "a group file cannot name a group",
                                  "groups do not nest; remove this key")]
        files.append(group_path)
        merged = merge(base, own)
    else:
        merged = YamlFile(*_strip_append_keys(own.data, own.locations, ()))
    try:
        clinic = Clinic.model_validate(merged.data)
    except ValidationError as exc:
        return None, _problems_from(exc, merged, shown)
    if clinic.branding.logo:  # a file in the clinic's folder, of the kind its name says, cleaned if SVG
        from .logo import checked_logo

        logo, problems = checked_logo(project, slug, clinic.branding.logo, merged.locations)
        if logo is None:
            return None, problems
    return LoadedClinic(slug, clinic, tuple(files), merged.locations), []


# --------------------------------------------------------------------------------------------------
# Group merge


def merge(base: YamlFile, over: YamlFile) -> YamlFile:
    data, locs = _merge(base.data, base.locations, over.data, over.locations, ())
    return YamlFile(data, locs)


def _sub(locs: dict[KeyPath, Loc], path: KeyPath) -> dict[KeyPath, Loc]:
    n = len(path)
    return {k: v for k, v in locs.items() if k[:n] == path}


def _merge(a: Any, alocs: dict, b: Any, blocs: dict, path: KeyPath) -> tuple[Any, dict]:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return _strip_append_keys(b, blocs, path)
    out = dict(a)
    locs = dict(alocs)
    for key, value in b.items():
        kpath = path + (key,)
        if key.endswith(APPEND) and isinstance(value, list):
            name = key[: -len(APPEND)]
            start = a.get(name, []) if isinstance(a.get(name), list) else []
            out[name] = list(start) + value
            for k, loc in _sub(blocs, kpath).items():
                rest = k[len(kpath):]
                if rest and isinstance(rest[0], int):
                    rest = (rest[0] + len(start),) + rest[1:]
                locs[path + (name,) + rest] = loc
            locs.setdefault(path + (name,), blocs[kpath])
            continue
        if key in a and isinstance(a[key], dict) and isinstance(value, dict):
            merged, sub = _merge(a[key], _sub(alocs, kpath), value, _sub(blocs, kpath), kpath)
        else:
            for k in list(locs):
                if k[: len(kpath)] == kpath:
                    del locs[k]
            merged, sub = _strip_append_keys(value, _sub(blocs, kpath), kpath)
        out[key] = merged
        locs.update(sub)
    return out, locs


def _strip_append_keys(value: Any, locs: dict, path: KeyPath) -> tuple[Any, dict]:
    # Without a group, `key+:` simply means `key:`.
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        new_locs = {k: v for k, v in locs.items() if len(k) <= len(path)}
        for key, child in value.items():
            name = key[:-1] if key.endswith(APPEND) and isinstance(child, list) else key
            sub, sublocs = _strip_append_keys(child, _sub(locs, path + (key,)), path + (key,))
            out[name] = sub
            for k, loc in sublocs.items():
                new_locs[path + (name,) + k[len(path) + 1:]] = loc
        return out, new_locs
    return value, locs


# --------------------------------------------------------------------------------------------------
# Validation errors → problems with file, line, key path and a hint


def _problems_from(exc: ValidationError, data: YamlFile, shown: str) -> list[Problem]:
    by_path: dict[KeyPath, list[dict]] = {}
    for err in exc.errors(include_url=False):
        path, missing_tail = _data_path(data.data, err["loc"])
        by_path.setdefault(path + missing_tail, []).append(err)
    problems = []
    for path, errors in by_path.items():
        # A union of a name or an entry fails both ways. For text, the name's error is the useful one;
        # for a mapping, the entry's errors (at its own keys, or here); anything else is neither.
        literal = [e for e in errors if e["type"] == "literal_error"]
        if literal and not isinstance(literal[0].get("input"), str):
            others = [e for e in errors if e["type"] != "literal_error"]
            entry_errors = any(p[:len(path)] == path and p != path for p in by_path)
            if isinstance(literal[0].get("input"), dict) and (others or entry_errors):
                errors, literal = others, []
            else:
                errors, literal = literal[:1], literal[:1]
        for err in literal or errors:
            message, hint = _explain(err, path)
            if message.startswith("@"):  # a check across fields names the key it is about
                key, _, message = message[1:].partition(": ")
                path = tuple(int(k) if k.isdigit() else k for k in key.split("."))
            loc = _locate(data.locations, path) or Loc(shown, 1, 1)
            problems.append(Problem(loc.file if loc else shown, loc.line if loc else None,
                                    loc.column if loc else None, dotted(path), message, hint))
    if not problems:  # never a clinic left out without a word, whatever pydantic said
        err = exc.errors(include_url=False)[0]
        path, tail = _data_path(data.data, err["loc"])
        loc = _locate(data.locations, path) or Loc(shown, 1, 1)
        problems.append(Problem(loc.file, loc.line, loc.column, dotted(path + tail) or "(top level)",
                                err["msg"].removeprefix("Value error, "), "see docs/data-model.md"))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0, p.key))
    return problems


def _data_path(data: Any, loc: tuple) -> tuple[KeyPath, KeyPath]:
    """Map pydantic's error location onto the data: drop union branch names, keep real keys."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_branch(part):
            return tuple(path), (part,)
    return tuple(path), ()


def _is_branch(part: str) -> bool:
    # pydantic names a union's branches by type (str, int, literal['a'], function-after[…], Address); a
    # key that only starts like one (street, interval, bool_x) is a key.
    return bool(_BRANCH.match(part)) or part[:1].isupper()


_BRANCH = re.compile(r"^(str|int|bool|float|list|dict|literal|function-\w+|tagged-union|union|nullable)(\[.*)?$")


def _locate(locations: dict[KeyPath, Loc], path: KeyPath) -> Loc | None:
    for n in range(len(path), -1, -1):
        if path[:n] in locations:
            return locations[path[:n]]
    return None


def _explain(err: dict, path: KeyPath) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        key = path[-1]
        fields = _fields_at(path[:-1])
        close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else (f"allowed keys: {', '.join(fields)}" if fields else "remove it")
        return f"unknown key {key!r}", hint
    if kind == "missing":
        return "is required", "add this key"
    if kind == "string_too_short" and value == "":
        return "is empty", "fill it in"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", err["ctx"]["expected"])
        if not isinstance(value, str):
            return f"must be one of the allowed words, not {_shown(value)}", f"allowed: {', '.join(allowed)}"
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]!r}? " if close else "") + f"allowed: {', '.join(allowed)}"
        return f"{_shown(value)} is not an allowed value", hint
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{_shown(value)} is not a date", "write dates as YYYY-MM-DD, like 2026-01-31"
    if kind == "value_error" and "email" in err["msg"]:
        return f"{_shown(value)} is not an email address", "write it like privacy@example.com"
    if kind == "url_parsing" or kind == "url_scheme":
        return f"{_shown(value)} is not a web address", "write it in full, like https://example.com"
    if kind == "string_type":
        return f"must be text, not {type(value).__name__} {_shown(value)}", "put the value in quotes"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"must be true or false, not {_shown(value)}", "write true or false"
    if kind in ("list_type",):
        return "must be a list", "write each item on its own line starting with '- '"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping of keys to values", "indent its keys under it"
    if kind in ("int_type", "int_parsing"):
        return f"must be a whole number, not {_shown(value)}", "write digits only"
    msg = err["msg"].removeprefix("Value error, ")
    return msg, _hint_for(msg)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _hint_for(msg: str) -> str:
    if "phone" in msg or "colour" in msg or "region" in msg or "regimes." in msg:
        return ""
    return "see docs/data-model.md"


def _fields_at(path: KeyPath) -> list[str]:
    model: Any = Clinic
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        model = _model_in(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
