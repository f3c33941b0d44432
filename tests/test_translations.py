"""One set of templates, words per language: the catalogs are complete, current and compiled; the labels
have the same keys in every language; and every language of every clinic shows the same sections and
facts, so that the compliance check's reading of the English text holds for each of them."""

from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from generator.data.fields import own_words
from generator.errors import NoticesError
from generator.notices import translations
from generator.data.load import Project, load_clinics
from generator.notices.render import environment, render_notice
from generator.notices.translations import SOURCE_LANG, mo_path, po_path, pot_path
from tests.conftest import MINIMAL

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A shipped language: one with labels. English is the templates' own language and has no catalog.
LANGS = sorted(p.name for p in TEMPLATES.iterdir() if (p / "labels.yaml").is_file())
TRANSLATED = [lang for lang in LANGS if lang != SOURCE_LANG]


def catalog(lang: str, templates: Path = TEMPLATES) -> Catalog:
    return read_po(io.BytesIO(po_path(templates, lang).read_bytes()), locale=lang)


# --------------------------------------------------------------------------------------------------
# The catalogs


def test_every_shipped_language_has_a_catalog_and_every_catalog_has_labels():
    assert TRANSLATED, "no language besides English: nothing below would test anything"
    assert translations.languages(TEMPLATES) == LANGS


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    assert translations.problems(catalog(lang)) == []


def test_the_catalog_check_finds_each_kind_of_gap():
    bad = Catalog(locale="es")
    bad.add("Contact us", "")
    bad.add("Call %(phone)s.", "Llame.")
    bad.add("%(noun)s changed.", "%(noun)s cambió.", flags=["fuzzy"])
    bad.add("Fee: 5%% of %(price)s", "Tarifa: 5% de %(price)s")
    bad.add("Our %(name)s", "Nuestro %(name)s")
    found = translations.problems(bad)
    assert len(found) == 4, found
    assert found == [
        "'Contact us': not translated",
        "'Call %(phone)s.': placeholders ['%(phone)s'] in the English, [] in the translation",
        "'%(noun)s changed.': fuzzy (check the translation, then remove the fuzzy flag)",
        "'Fee: 5%% of %(price)s': placeholders ['%%', '%(price)s'] in the English, ['%', '%(price)s'] in the translation",
    ]


def test_the_catalogs_are_up_to_date_with_the_templates():
    """What `make translations` would write is what is committed: no sentence of the templates is
    missing from the catalogs, none is left over."""
    template = translations.extract(TEMPLATES)
    assert translations.po_bytes(template) == pot_path(TEMPLATES).read_bytes(), "run make translations"
    for lang in TRANSLATED:
        assert translations.po_bytes(translations.updated(TEMPLATES, lang, template)) \
            == po_path(TEMPLATES, lang).read_bytes(), f"{lang}: run make translations"


def test_a_new_sentence_in_a_template_makes_the_catalogs_out_of_date(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "partials" / "about.md.j2"
    path.write_text(path.read_text(encoding="utf-8") + "{% trans %}A new sentence.{% endtrans +%}\n", encoding="utf-8")
    template = translations.extract(templates)
    assert "A new sentence." in template
    for lang in TRANSLATED:
        merged = translations.updated(templates, lang, template)
        assert translations.po_bytes(merged) != po_path(templates, lang).read_bytes()
        assert "'A new sentence.': not translated" in translations.problems(merged)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_is_the_po_as_it_is(lang):
    """The .mo is compiled, not committed (make setup compiles it): it must say what the .po says."""
    compiled = translations.load(TEMPLATES, lang)
    assert mo_path(TEMPLATES, lang).read_bytes() == translations.mo_bytes(catalog(lang), po_path(TEMPLATES, lang).read_bytes())
    for message in catalog(lang):
        if message.id:
            got = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            assert got == message.string


def test_a_message_no_catalog_has_is_an_error_in_every_translated_language():
    source = '{% trans %}Not a sentence of ours{% endtrans %}'
    for lang in TRANSLATED:
        for block in (source, f"{{% autoescape true %}}{source}{{% endautoescape %}}"):
            with pytest.raises(translations.MissingTranslation, match="no translation for 'Not a sentence of ours'"):
                environment(TEMPLATES, lang).from_string(block).render()
    assert environment(TEMPLATES, SOURCE_LANG).from_string(source).render() == "Not a sentence of ours"


def test_a_sentence_in_an_html_block_is_escaped_for_html_and_in_markdown_for_markdown():
    """The blocks around a notice are HTML (generator/notices/render.py, finalize): there a value and our
    sentence itself are escaped for HTML, not for Markdown; elsewhere, for Markdown."""
    env = environment(TEMPLATES, SOURCE_LANG)
    source = '{% trans name=name %}Not a sentence of ours & {{ name }}{% endtrans %} {{ name }} {{ when }}'
    values = {"name": "<b>St. Mary's</b> *1*\tX", "when": date(2026, 1, 2)}
    html_out = env.from_string(f"{{% autoescape true %}}{source}{{% endautoescape %}}").render(**values)
    assert html_out == ("Not a sentence of ours &amp; &lt;b&gt;St. Mary&#39;s&lt;/b&gt; *1* X "
                        "&lt;b&gt;St. Mary&#39;s&lt;/b&gt; *1* X 2026-01-02")
    markdown_out = env.from_string(source).render(**values)
    assert markdown_out == ("Not a sentence of ours & &lt;b&gt;St\\. Mary's&lt;/b&gt; \\*1\\* X "
                            "&lt;b&gt;St\\. Mary's&lt;/b&gt; \\*1\\* X 2026-01-02")
    with pytest.raises(NoticesError, match="empty value"):
        env.from_string("{% autoescape true %}{{ nothing }}{% endautoescape %}").render(nothing=None)


def test_templates_hold_no_words_outside_trans_blocks():
    """A sentence written straight into a template would show in English on every language's site."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{%[+-]?\s*trans\b.*?\{%[+-]?\s*endtrans\s*[+-]?%\}", "", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>|\{:[^}]*\}|^!!! \w+", "", text, flags=re.M)  # HTML, attribute lists, admonitions
        found += [f"{path.relative_to(REPO)}:{i}: {line.strip()}" for i, line in enumerate(text.split("\n"), 1)
                  if re.search(r"[^\W\d_]{2,}", line)]
    assert found == []


def test_a_value_in_a_sentence_is_escaped_in_every_language(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace("name: Test Clinic", "name: <b>*Tests*</b>")})
    (loaded,) = load_clinics(project)
    for lang in LANGS:
        text = render_notice(project, loaded, "privacy", lang).markdown
        assert "&lt;b&gt;\\*Tests\\*&lt;/b&gt;" in text, lang
        assert "<b>" not in text and "*Tests*" not in text, lang


# --------------------------------------------------------------------------------------------------
# The labels stay data: the same keys, and the same {placeholders}, in every language


def shape(value, path=""):
    """Every key path of a labels file with what a translation must keep: a string's placeholders, a
    list's length."""
    if isinstance(value, dict):
        return {k: v for key, sub in value.items() for k, v in shape(sub, f"{path}.{key}" if path else str(key)).items()}
    if isinstance(value, list):
        return {path: ("list", len(value)), **{k: v for i, sub in enumerate(value) for k, v in shape(sub, f"{path}[{i}]").items()}}
    if isinstance(value, str):
        return {path: ("text", bool(value.strip()), tuple(sorted(re.findall(r"\{[^}]*\}", value))))}
    return {path: (type(value).__name__, value)}


def test_shape_tells_a_missing_key_a_lost_placeholder_and_a_blank():
    english = shape({"a": {"b": "x {date}", "c": "y"}, "months": ["J", "F"]})
    assert shape({"a": {"b": "x {date}", "c": "z"}, "months": ["E", "F"]}) == english
    for bad in ({"a": {"b": "x {date}"}, "months": ["E", "F"]}, {"a": {"b": "x", "c": "z"}, "months": ["E", "F"]},
                {"a": {"b": "x {date}", "c": " "}, "months": ["E", "F"]}, {"a": {"b": "x {date}", "c": "z"}, "months": ["E"]}):
        assert shape(bad) != english


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("name", ["labels.yaml", "site.yaml"])
def test_labels_have_the_keys_and_placeholders_of_the_english(lang, name):
    english = shape(yaml.safe_load((TEMPLATES / SOURCE_LANG / name).read_text(encoding="utf-8")))
    other = shape(yaml.safe_load((TEMPLATES / lang / name).read_text(encoding="utf-8")))
    assert {k: v for k, v in other.items() if v != english.get(k)} == {}
    assert sorted(set(english) - set(other)) == []


# --------------------------------------------------------------------------------------------------
# Every language says the same things


def skeleton(markdown: str) -> dict:
    """What a notice shows, whatever its words: its sections and list items, in order, and every value
    drawn from the clinic's data that a reader can act on (links, addresses, numbers)."""
    lines = markdown.splitlines()
    return {
        "blocks": [m.group(1) if (m := re.match(r"^(#{1,6} |\s*- |\s*\d+\. |\||!!! )", line)) else ("" if line.strip() else "blank")
                   for line in lines],
        "anchors": re.findall(r"\{: #[^}]*\}", markdown),
        "links": sorted(re.findall(r'href="([^"]*)"|\]\(([^)]*)\)', markdown)),
        "numbers": sorted(re.findall(r"\d[\d\\ ().+-]*\d|\d", markdown)),
    }


def fixture_project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("fixtures")
    shutil.copytree(TEMPLATES, root / "templates")
    for path in sorted(FIXTURES.glob("*.yaml")):
        (root / "clinics" / path.stem).mkdir(parents=True)
        shutil.copy(path, root / "clinics" / path.stem / "clinic.yaml")
    return Project(root)


def test_every_language_shows_the_same_sections_and_facts(tmp_path_factory):
    """The compliance check reads the English rendering. Every language renders the same templates
    with the same values, so what it finds there holds for each language: here, for every example
    clinic and fixture, every notice has the same structure and the same facts in every language."""
    projects = [Project(REPO), fixture_project(tmp_path_factory)]
    compared = 0
    for project in projects:
        for loaded in load_clinics(project):
            # The clinic's own words exist only in the languages it lists: it renders in those alone.
            langs = loaded.clinic.languages if own_words(loaded.clinic) else [SOURCE_LANG, *TRANSLATED]
            if SOURCE_LANG not in langs:
                continue
            for notice in loaded.clinic.notices:
                english = skeleton(render_notice(project, loaded, notice, SOURCE_LANG).markdown)
                for lang in (x for x in TRANSLATED if x in langs):
                    other = skeleton(render_notice(project, loaded, notice, lang).markdown)
                    for key in ("blocks", "anchors", "links"):
                        assert other[key] == english[key], f"{loaded.slug} {notice} {lang}: {key}"
                    # A translation may name a law by its year; it may not lose a number of the clinic's.
                    assert Counter(english["numbers"]) - Counter(other["numbers"]) == Counter(), f"{loaded.slug} {notice} {lang}"
                    compared += 1
    assert compared >= 20


def test_the_skeleton_sees_a_dropped_fact_and_a_dropped_section():
    english = skeleton("## Contact us\n\n- Phone: <a href=\"tel:+17195550100\">(719) 555-0100</a>\n")
    assert skeleton("## Contacto\n\n- Teléfono: <a href=\"tel:+17195550100\">(719) 555-0100</a>\n") == english
    assert skeleton("## Contacto\n\n- Teléfono: llámenos\n")["links"] != english["links"]
    assert skeleton("Contacto\n\n- Teléfono: <a href=\"tel:+17195550100\">(719) 555-0100</a>\n") != english
