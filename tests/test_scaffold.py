"""`notices new`: the scaffolded clinic file holds every key of the model, explained, and is valid except
for the placeholders a clinic must fill in, which `notices check` lists with their lines."""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, Union

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from generator.site.prepare import prepare
from generator.cli import main
from generator.errors import DataErrors, NoticesError
from generator.data.load import load_clinics
from generator.data.model import Clinic
from generator.data.scaffold import SCHEMA_LINE, scaffold
from generator.data.yamlsafe import read_yaml
from tests.conftest import MINIMAL, REPO

AS_OF = date(2026, 11, 22)
REQUIRED = {"name", "practice", "jurisdiction.country", "jurisdiction.region"}
FILLED = {'name: ""': "name: New Clinic", 'practice: ""': "practice: physician_practice",
          'country: ""': "country: US", 'region: ""': "region: CO"}


def fill(path: Path, keys: set[str] = REQUIRED) -> None:
    """Fill in the top-level placeholders (only the live ones, at their own indentation)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = {k.rsplit(".", 1)[-1] for k in keys}
    for i, line in enumerate(lines):
        for old, new in FILLED.items():
            key = old.split(":")[0]
            if key in wanted and re.match(rf"^ {{0,2}}{re.escape(old)}(\s|$)", line):
                lines[i] = line.replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Every path of the model, walked here independently of the scaffold


def _unwrap(t: Any) -> tuple[bool, Any]:
    optional = False
    while True:
        if typing.get_origin(t) is typing.Annotated:
            t = typing.get_args(t)[0]
        elif typing.get_origin(t) in (Union, types.UnionType):
            args = typing.get_args(t)
            rest = [a for a in args if a is not type(None)]
            optional |= len(rest) < len(args)
            models = [a for a in rest if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(rest) == 1:
                t = rest[0]
            elif models:  # `name | {item, when, via}`: the mapping form has the keys
                return optional, models[0]
            else:
                return optional, t
        else:
            return optional, t


def model_paths(model: type[BaseModel], prefix: tuple = (), hidden: bool = False) -> dict[tuple, bool]:
    """Every key path (list levels skipped) → whether it sits inside a list item or an optional mapping,
    where the scaffold can only show it commented out."""
    out: dict[tuple, bool] = {}
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name,)
        optional, t = _unwrap(field.annotation)
        out[path] = hidden
        in_list = typing.get_origin(t) is list
        if in_list:
            t = _unwrap(typing.get_args(t)[0])[1]
        if isinstance(t, type) and issubclass(t, BaseModel):
            out.update(model_paths(t, path, hidden or optional or in_list))
    return out


KEY = re.compile(r"^(?P<dash>- )?(?P<key>\$?[A-Za-z_][A-Za-z0-9_]*)\+?:(\s|$)")


def outline_paths(text: str) -> set[tuple]:
    """Key paths of the file by indentation, counting commented-out keys as if uncommented."""
    found: set[tuple] = set()
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines()[1:]:
        stripped = raw.lstrip(" ")
        col = len(raw) - len(stripped)
        if stripped.startswith("# "):
            rest = stripped[2:]
            col += len(rest) - len(rest.lstrip(" "))
            stripped = rest.lstrip(" ")
        match = KEY.match(stripped)
        if not match:
            continue
        if match.group("dash"):
            col += 2
        while stack and stack[-1][0] >= col:
            stack.pop()
        stack.append((col, match.group("key")))
        found.add(tuple(k for _, k in stack))
    return found


def flatten(data: Any, prefix: tuple = ()) -> set[tuple]:
    out: set[tuple] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            out.add(prefix + (key,))
            out |= flatten(value, prefix + (key,))
    return out


# --------------------------------------------------------------------------------------------------


def test_scaffold_is_yaml_with_every_model_key_explained(make_project):
    project = make_project()
    path = scaffold(project, "new-clinic")
    assert path == project.clinic_dir("new-clinic") / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE

    data, problems = read_yaml(path, "clinic.yaml")  # our strict reader: no tags, no duplicate keys
    assert problems == [] and isinstance(data.data, dict)

    expected = model_paths(Clinic)
    outline = outline_paths(text)
    assert set(expected) - outline == set(), "keys missing from the scaffold"
    live = flatten(data.data)
    # Every key outside a list item or an optional mapping is a real key, not a comment.
    assert {p for p, hidden in expected.items() if not hidden and p != ("$schema",)} - live == set()

    # Each live key carries a comment, except a few plain ones the model leaves undescribed.
    for line in text.splitlines():
        if re.match(r"^\s*(- )?[a-z_]+:", line) and ("Required" in line or '""' in line):
            assert "#" in line, line
    assert "One of: US, CA" in text or "US or CA" in text
    assert "… (" not in text and "in all: see" not in text  # no value list is cut short


def values_below_keys(text: str) -> dict[tuple, dict[str, str]]:
    """For each key path of the file, the `value  words` comment lines right below its line."""
    out: dict[tuple, dict[str, str]] = {}
    stack: list[tuple[int, str]] = []
    current: tuple | None = None
    for raw in text.splitlines()[1:]:
        stripped = raw.lstrip(" ")
        col = len(raw) - len(stripped)
        commented = stripped.startswith("# ")
        rest = stripped[2:] if commented else stripped
        match = KEY.match(rest.lstrip(" "))
        if match:
            col += (2 + len(rest) - len(rest.lstrip(" "))) if commented else 0
            col += 2 if match.group("dash") else 0
            while stack and stack[-1][0] >= col:
                stack.pop()
            stack.append((col, match.group("key")))
            current = tuple(k for _, k in stack)
            out.setdefault(current, {})
            continue
        word = re.match(r"^#\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s{2,}(.*))?$", stripped)
        if word and current is not None:
            out[current][word.group(1)] = (word.group(2) or "").strip()
        else:
            current = None
    return out


def test_every_vocabulary_key_lists_every_value_with_its_english_words(make_project):
    import yaml

    from generator.data.vocab_keys import labels, vocab_keys, words

    project = make_project()
    text = scaffold(project, "new-clinic").read_text(encoding="utf-8")
    listed = values_below_keys(text)
    english = labels(REPO / "templates", "en")
    checked = 0
    for vk in vocab_keys():
        path = tuple(vk.key.split("."))
        assert path in listed, f"{vk.key} is not in the new clinic file"
        expected = {v: " ".join(w.split()) for v, w in words(english, vk).items()}
        assert set(expected) == set(vk.values), f"{vk.key}: a value has no English words in labels.yaml"
        assert listed[path] == expected, vk.key
        checked += 1
    assert checked > 40
    assert "recipient" in yaml.safe_load((REPO / "templates" / "en" / "labels.yaml").read_text())


def test_fresh_scaffold_fails_check_listing_exactly_the_placeholders(make_project):
    project = make_project()
    path = scaffold(project, "new-clinic")
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(DataErrors) as caught:
        prepare(project, ["new-clinic"], AS_OF)
    problems = caught.value.problems
    assert {p.key for p in problems} == REQUIRED
    for p in problems:
        assert p.file == "clinics/new-clinic/clinic.yaml" and p.line
        key = p.key.rsplit(".", 1)[-1]
        assert re.match(rf'^\s*{key}: ""', lines[p.line - 1]), (p, lines[p.line - 1])

    result = CliRunner().invoke(main, ["check", "--root", str(project.root), "new-clinic"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # an error message, never a traceback
    assert "Traceback" not in result.output
    assert "clinics/new-clinic/clinic.yaml:" in result.output


def test_filled_scaffold_is_valid_and_states_nothing_else(make_project):
    project = make_project()
    path = scaffold(project, "new-clinic")
    fill(path)
    (p,) = prepare(project, ["new-clinic"], AS_OF)
    clinic = p.loaded.clinic
    assert (clinic.name, clinic.practice, clinic.jurisdiction.country) == ("New Clinic", "physician_practice", "US")
    # Everything else is at the model's "not stated" defaults.
    defaults = Clinic.model_validate({"name": "New Clinic", "practice": "physician_practice",
                                      "jurisdiction": {"country": "US", "region": "CO"}})
    assert clinic == defaults


def test_group_is_named_and_its_values_are_not_overridden(make_project):
    project = make_project({"groups/jane-app-clinics.yaml": (REPO / "groups/jane-app-clinics.yaml").read_text()})
    path = scaffold(project, "grouped", group="jane-app-clinics")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    assert re.search(r"^group: jane-app-clinics(\s|$)", text, re.MULTILINE)
    fill(path)
    (loaded,) = load_clinics(project, ["grouped"])
    clinic = loaded.clinic
    assert [s.name for s in clinic.service_providers] == ["Jane App"]
    assert clinic.cookies.honors_gpc is True and clinic.cookies.honors_do_not_track is False
    assert clinic.requests.id_required is True
    assert clinic.requests.channels == ["email", "phone", "mail", "in_person"]


def test_group_that_sets_required_values_needs_no_placeholder_for_them(make_project):
    group = "practice: dental_practice\njurisdiction: {country: CA, region: ON}\n"
    project = make_project({"groups/on-dental.yaml": group})
    path = scaffold(project, "tooth", group="on-dental")
    with pytest.raises(DataErrors) as caught:
        prepare(project, ["tooth"], AS_OF)
    assert {p.key for p in caught.value.problems} == {"name"}
    fill(path, {"name"})
    (loaded,) = load_clinics(project, ["tooth"])
    assert (loaded.clinic.practice, loaded.clinic.jurisdiction.region) == ("dental_practice", "ON")


def test_unknown_group_is_refused_listing_the_known_ones(make_project):
    project = make_project({"groups/alpha.yaml": "practice: medical_spa\n", "groups/beta.yaml": "{}\n"})
    with pytest.raises(NoticesError, match="known groups: alpha, beta"):
        scaffold(project, "x", group="gamma")
    assert not project.clinic_dir("x").exists()


def test_existing_or_invalid_slug_is_refused_and_nothing_is_overwritten(make_project):
    project = make_project({"clinics/taken/clinic.yaml": MINIMAL})
    before = (project.clinic_dir("taken") / "clinic.yaml").read_bytes()
    with pytest.raises(NoticesError, match="already exists"):
        scaffold(project, "taken")
    assert (project.clinic_dir("taken") / "clinic.yaml").read_bytes() == before
    for bad in ["Bad", "-x", "a_b", "../x", "a/b", "", "x" * 64]:
        with pytest.raises(NoticesError, match="not a valid clinic name"):
            scaffold(project, bad)
    assert sorted(p.name for p in project.clinics_dir.iterdir()) == ["taken"]


def test_scaffold_is_deterministic(make_project):
    project = make_project()
    a = scaffold(project, "one").read_text(encoding="utf-8")
    b = scaffold(project, "two").read_text(encoding="utf-8")
    assert a.replace("one:", "two:", 1) == b
