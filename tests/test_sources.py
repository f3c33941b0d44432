"""The source marks of templates: invisible in every build, read back by `notices explain`."""

from __future__ import annotations

import jinja2
import pytest

from generator.notices import sources
from generator.notices.render import explain_notice, render_notice
from generator.data.load import Project, load_clinics

from .conftest import REPO


def _env() -> jinja2.Environment:
    return jinja2.Environment(extensions=[sources.SourceExtension], trim_blocks=True, lstrip_blocks=True)


TEMPLATE = """{% fact "contact.phone" %}
Call us. {% law "NPP-14" %}You may complain.{% endlaw +%}
{% endfact %}
{% setting "notifications.banner_days" %}
A banner shows changes. Unsourced? no.
{% endsetting %}
Nothing here.
{% for i in [0, 1] %}
{% fact "disclosures." ~ i %}
- item {{ i }}
{% endfact %}
{% endfor %}"""


def test_marks_are_invisible_without_marking():
    text = _env().from_string(TEMPLATE).render()
    assert "\ue000" not in text and "\ue002" not in text
    assert text.startswith("Call us. You may complain.\nA banner")


def test_sentences_carry_their_blocks_sources():
    with sources.marking():
        marked = _env().from_string(TEMPLATE).render()
    assert sources.strip(marked) == _env().from_string(TEMPLATE).render()
    got = {s.text: sorted((x.kind, x.key) for x in s.sources) for s in sources.sentences(marked)}
    assert got["Call us."] == [("fact", "contact.phone")]
    assert got["You may complain."] == [("fact", "contact.phone"), ("law", "NPP-14")]
    assert got["A banner shows changes."] == [("setting", "notifications.banner_days")]
    assert got["Unsourced? no."] == [("setting", "notifications.banner_days")]
    assert got["Nothing here."] == []
    assert got["item 0"] == [("fact", "disclosures.0")] and got["item 1"] == [("fact", "disclosures.1")]


def test_a_reserved_character_in_a_source_name_is_refused():
    env = _env()
    with sources.marking(), pytest.raises(ValueError):
        env.from_string('{% fact "a\ue001b" %}x{% endfact %}').render()


def test_explained_text_is_the_rendered_text():
    project = Project(REPO)
    for loaded in load_clinics(project):
        for notice in loaded.clinic.notices:
            plain = render_notice(project, loaded, notice)
            explained, found = explain_notice(project, loaded, notice)
            assert explained == plain
            assert found, f"{loaded.slug} {notice}: no sentences"
