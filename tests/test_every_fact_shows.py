"""Every fact in an example clinic's data shows in its notices: take any one away and the text changes.

For each leaf of the clinic's data (a list item, a true flag, a value) we remove it, render every notice
again, and require a difference. A fact that no template prints fails here by name.

One kind of fact cannot change the text: one the law makes a notice say anyway, such as a right the HIPAA
Notice of Privacy Practices must list whether or not the clinic's data names it. Such a fact shows as a
source of those sentences: it passes when every sentence it is a source of also has a law source.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterator

import pytest
from pydantic import ValidationError

from generator.data.load import LoadedClinic, Project, load_clinics
from generator.data.model import Clinic
from generator.notices.render import explain_notice, render_clinic

REPO = Path(__file__).resolve().parent.parent
PROJECT = Project(REPO)
# Shown by the site rather than by a notice's text, or deciding which notices exist at all.
NOT_IN_NOTICE_TEXT = {"$schema", "group", "branding", "site_url", "languages", "notifications", "jurisdiction"}
# Facts that decide which rules of the check apply, and nothing a notice says: Section 1557's language
# help is printed from `language_assistance` whether or not the clinic receives federal money.
CHECK_ONLY = {("regimes", "federal_financial_assistance")}


def leaves(data: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(data, dict):
        for key, value in data.items():
            if not path and key in NOT_IN_NOTICE_TEXT:
                continue
            yield from leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield path + (i,)
    elif data is not False and data is not None:
        yield path


def without(data: dict, path: tuple) -> dict:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if isinstance(node, list):
        del node[last]
    elif node[last] is True:
        node[last] = False
    else:
        del node[last]
    return out


def texts(project: Project, loaded: LoadedClinic) -> str:
    return "\n".join(r.markdown for r in render_clinic(project, loaded))


def said_with_the_law(project: Project, loaded: LoadedClinic, key: str) -> bool:
    """Whether `key` is a source of some sentence of the clinic's notices, and every sentence it is a
    source of is one the law requires too (so removing the fact cannot change the text)."""
    carried = [s for lang in loaded.clinic.languages[:1] for n in loaded.clinic.notices
               for s in explain_notice(project, loaded, n, lang)[1]
               if any(x.kind == "fact" and (x.key == key or x.key.startswith(key + ".")) for x in s.sources)]
    return bool(carried) and all(any(x.kind == "law" for x in s.sources) for s in carried)


CLINICS = {c.slug: c for c in load_clinics(PROJECT)}


@pytest.mark.parametrize("slug", sorted(CLINICS))
def test_every_fact_changes_the_rendered_text(slug):
    loaded = CLINICS[slug]
    data = loaded.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    base = texts(PROJECT, loaded)
    silent = []
    for path in leaves(data):
        if path in CHECK_ONLY:
            continue
        try:
            clinic = Clinic.model_validate(without(data, path))
        except ValidationError:
            continue  # a required value: its absence is an error, tested elsewhere
        if clinic == loaded.clinic:
            continue  # the value written is the default: removing it states nothing new
        changed = texts(PROJECT, LoadedClinic(slug, clinic, loaded.files, {}))
        if changed == base and not said_with_the_law(PROJECT, loaded, ".".join(map(str, path))):
            silent.append(".".join(map(str, path)))
    assert silent == [], f"facts that no notice shows: {silent}"
