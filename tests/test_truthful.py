"""Truthful notices (issue 18): a fact not stated is not said, and every sentence has a source that holds.

The cases of the issue each render a small clinic and look for a sentence that main printed with no
fact behind it. Then, for every example clinic and test fixture: every sentence has a source; removing
a fact source (deleting its key from the clinic's data) removes or changes each sentence it alone
carries; a law source is a checklist rule that applies to the clinic; turning a setting off changes
its sentences.
"""

from __future__ import annotations

import copy
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generator.checks import RULES
from generator.checks.base import Context
from generator.data.load import LoadedClinic, Project, load_clinics
from generator.data.model import Clinic
from generator.notices import explain as explain_mod
from generator.notices.render import explain_notice, render_notice

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LAWS = {r.id: r.citation for r in RULES}

US = """\
name: Test Clinic
practice: medical_spa
jurisdiction: {country: US, region: CO}
regimes: {hipaa_covered_entity: true}
contact: {phone: (719) 555-0100}
privacy_contact: {role: privacy_officer}
"""
CA = """\
name: Test Clinic
practice: physician_practice
jurisdiction: {country: CA, region: "ON"}
regimes: {phipa_custodian: true}
privacy_contact: {role: privacy_officer}
"""


def _render(make_project, text: str, notice: str, slug: str = "test-clinic") -> str:
    project = make_project({f"clinics/{slug}/clinic.yaml": text})
    loaded = load_clinics(project, [slug])[0]
    return render_notice(project, loaded, notice).markdown


# --------------------------------------------------------------------------------------------------
# The cases of the issue: each printed on main with no fact behind it.


def test_website_identifies_you_left_out_says_nothing(make_project):
    text = _render(make_project, US + "collection:\n  website: {items: [ip_address]}\n", "privacy")
    assert "does not tell us who you are" not in text and "can tell us who you are" not in text
    said_no = _render(make_project, US + "collection:\n  website: {items: [ip_address], identifies_you: false}\n", "privacy")
    assert "On its own, the information our website records does not tell us who you are." in said_no


@pytest.mark.parametrize("fundraising", ["", "regimes: {hipaa_covered_entity: true, fundraising: false}\n"])
def test_npp_glance_promises_no_fund_drive_choice_without_fundraising(make_project, fundraising):
    text = US if not fundraising else US.replace("regimes: {hipaa_covered_entity: true}\n", fundraising)
    glance = _render(make_project, text, "hipaa").split("## At a glance", 1)[1].split("\n## ", 1)[0]
    assert "fund drives" not in glance and "say no to ads" not in glance


def test_npp_glance_names_fund_drives_when_the_clinic_fundraises(make_project):
    text = US.replace("regimes: {hipaa_covered_entity: true}", "regimes: {hipaa_covered_entity: true, fundraising: true}")
    glance = _render(make_project, text, "hipaa").split("## At a glance", 1)[1].split("\n## ", 1)[0]
    assert "fund drives" in glance


def test_no_proof_of_identity_unless_stated(make_project):
    text = _render(make_project, US + "requests: {channels: [in_person, phone]}\n", "privacy")
    assert "prove who you are" not in text and "valid ID" not in text
    text = _render(make_project, US + "requests: {channels: [in_person], id_in_person: true}\n", "privacy")
    assert "If you come to our office, please bring valid ID." in text and "prove who you are" not in text


def test_one_complaint_step_is_not_a_first_step(make_project):
    text = _render(make_project, US + "complaints: {steps: [privacy_contact]}\n", "privacy")
    assert "first" not in text.split("## Concerns and complaints", 1)[1].split("\n## ", 1)[0]
    assert "You can raise your concern with our Privacy Officer." in text


def test_one_disclosure_is_not_a_list_of_cases(make_project):
    text = _render(make_project, US + "disclosures:\n  - {why: required_by_law, consent: not_needed}\n", "hipaa")
    assert "lists the cases in which we share information" not in text
    assert "describes one more case in which we share information" in text


def test_rent_only_is_not_sell_or_trade(make_project):
    text = _render(make_project, US + "sale: {does_not: [rent]}\n", "privacy")
    assert "sell" not in text.lower() and "trade" not in text.lower()
    assert "We do not rent your personal information." in text
    text = _render(make_project, US + "sale: {does_not: [share_for_marketing]}\n", "privacy")
    assert "We do not share your personal information with other companies for their marketing." in text


def test_phipa_only_does_not_name_pipeda(make_project):
    text = _render(make_project, CA, "privacy")
    assert "PIPEDA" not in text and "federal privacy law" not in text
    assert "PIPEDA" in _render(make_project, CA.replace("phipa_custodian: true", "phipa_custodian: true, pipeda: true"), "privacy")


def test_a_disclosure_needs_no_consent_basis(make_project):
    text = _render(make_project, US + "disclosures:\n  - {to: laboratories, why: treatment}\n", "privacy")
    assert "We may share your information:" in text and "with laboratories" in text
    assert "without asking you first" not in text


def test_no_contact_means_no_contact_us_section(make_project):
    bare = US.replace("contact: {phone: (719) 555-0100}\nprivacy_contact: {role: privacy_officer}\n", "")
    text = _render(make_project, bare, "privacy")
    assert "## Contact us" not in text and "please contact us" not in text


def test_access_time_of_the_law_and_the_clinics_own(make_project):
    assert "usually within 30 days" in _render(make_project, US, "hipaa")
    text = _render(make_project, US + "rights:\n  - {right: access, days: 15}\n", "hipaa")
    assert "within 15 days of your request" in text and "usually within 30 days" not in text


def test_city_and_region_make_an_address(make_project):
    text = _render(make_project, US.replace("contact: {phone: (719) 555-0100}",
                                            "contact: {phone: (719) 555-0100, address: {city: Pueblo, region: CO}}"), "privacy")
    assert "Address: Pueblo, CO" in text


# --------------------------------------------------------------------------------------------------
# Every example clinic and fixture: every sentence has a source, and each source holds.


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("truthful")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "clinics", root / "clinics")
    shutil.copytree(REPO / "groups", root / "groups")
    for path in FIXTURES.glob("*.yaml"):
        (root / "clinics" / f"fixture-{path.stem}").mkdir()
        shutil.copy(path, root / "clinics" / f"fixture-{path.stem}" / "clinic.yaml")
    return Project(root)


def _clinics(project: Project) -> dict[str, LoadedClinic]:
    return {c.slug: c for c in load_clinics(project)}


SLUGS = sorted([p.name for p in (REPO / "clinics").iterdir() if (p / "clinic.yaml").is_file()]
               + [f"fixture-{p.stem}" for p in FIXTURES.glob("*.yaml")])


@pytest.mark.parametrize("slug", SLUGS)
def test_every_sentence_has_a_source_that_holds(project, slug):
    loaded = _clinics(project)[slug]
    items = [explain_mod.explain(project, loaded, n, LAWS, lang)
             for n in loaded.clinic.notices for lang in loaded.clinic.languages]
    assert explain_mod.unsourced(items) == []


def _sentences(project: Project, loaded: LoadedClinic) -> list[tuple[str, Any]]:
    out = []
    for notice in loaded.clinic.notices:
        _, found = explain_notice(project, loaded, notice, "en")
        out += [(notice, s) for s in found]
    return out


def _without(data: dict, key: str) -> dict:
    out = copy.deepcopy(data)
    parts = [int(p) if p.isdigit() else p for p in key.split(".")]
    node: Any = out
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]
    return out


def _order(key: str) -> tuple:
    return tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in key.split("."))


def _heading(sentence: Any) -> bool:
    return sentence.markdown.lstrip().startswith("#")


@pytest.mark.parametrize("slug", SLUGS)
def test_removing_a_fact_removes_or_changes_its_sentences(project, slug):
    loaded = _clinics(project)[slug]
    data = loaded.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    base = _sentences(project, loaded)
    counts = Counter((n, s.text) for n, s in base)
    # A sentence is carried by its fact sources together (any of them may be why it is said): remove them all.
    carried: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for notice, s in base:
        facts = tuple(sorted(x.key for x in s.sources if x.kind == "fact"))
        # A sentence the law also carries stays when the facts go: law sources are tested below.
        if facts and not _heading(s) and all(x.kind == "fact" for x in s.sources):
            carried.setdefault(facts, []).append((notice, s.text))
    exercised, invalid, silent = 0, [], []
    for facts, said in sorted(carried.items()):
        changed = data
        try:
            # Deepest keys and last list items first, so that each index still names its item.
            for key in sorted(facts, key=_order, reverse=True):
                changed = _without(changed, key)
            clinic = Clinic.model_validate(changed)
        except (ValidationError, KeyError, IndexError, TypeError):
            invalid.append(facts)
            continue
        exercised += 1
        after = Counter((n, s.text) for n, s in _sentences(project, LoadedClinic(slug, clinic, loaded.files, {})))
        silent += [f"{'+'.join(facts)}: {n}: {t}" for n, t in said if after[(n, t)] >= counts[(n, t)]]
    assert silent == [], "sentences that stay when their facts are removed:\n" + "\n".join(silent)
    assert exercised >= 0.8 * (exercised + len(invalid)), f"too few facts could be removed: {invalid}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_law_source_is_a_rule_that_applies(project, slug):
    loaded = _clinics(project)[slug]
    ctx = Context(slug, loaded.clinic, {}, {}, {}, {}, date(2026, 12, 1), "clinic.yaml")
    laws = {x.key for _, s in _sentences(project, loaded) for x in s.sources if x.kind == "law"}
    assert laws, "no sentence of the law"
    wrong = [law for law in sorted(laws)
             if not any(r.id == law and r.applies(ctx) is None for r in RULES)]
    assert wrong == []


@pytest.mark.parametrize("slug", SLUGS)
def test_turning_a_setting_off_changes_its_sentences(project, slug):
    loaded = _clinics(project)[slug]
    data = loaded.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    base = _sentences(project, loaded)
    counts = Counter((n, s.text) for n, s in base)
    off = {"notifications.banner_days": lambda d: {**d, "notifications": {**d.get("notifications", {}), "banner_days": 0}},
           "site_url": lambda d: {k: v for k, v in d.items() if k != "site_url"}}
    used = {x.key for _, s in base for x in s.sources if x.kind == "setting"}
    # `notices` (which notices the clinic publishes) follows from the jurisdiction here; it cannot be turned off yet.
    assert used - set(off) <= {"notices"}
    for key in sorted(used & set(off)):
        clinic = Clinic.model_validate(off[key](data))
        after = Counter((n, s.text) for n, s in _sentences(project, LoadedClinic(slug, clinic, loaded.files, {})))
        said = [(n, s.text) for n, s in base if any(x.key == key for x in s.sources) and not _heading(s)]
        assert said and all(after[t] < counts[t] for t in said), key


# --------------------------------------------------------------------------------------------------
# The clinic's own words, where the vocabulary ends.

OWN = """\
name: Test Clinic
practice: dermatology_practice
languages: [en, fr]
jurisdiction: {country: CA, region: "ON"}
regimes: {phipa_custodian: true}
privacy_contact: {role: privacy_officer}
collection:
  personal:
    items:
      - health_card_number
      - {own: {en: "your skin type **score**", fr: "votre <b>type</b> de peau"}, when: with_consent}
  health:
    items: [consent_forms]
    services: [injectables, {own: {en: laser hair removal, fr: épilation au laser}}]
  forms: [oral, written, electronic]
uses:
  care: [telehealth, {own: {en: plan your laser sessions, fr: planifier vos séances de laser}}]
  treatment_example: {en: "We may share information with an oral surgeon, to decide whether surgery is needed.",
                      fr: "Nous pouvons communiquer des renseignements à un chirurgien buccal."}
safeguards:
  measures: [{own: {en: a locked filing room, fr: une salle d'archives fermée à clé}}]
  against: [loss, destruction, misuse]
complaints:
  steps: [{own: {en: our clinic director, fr: notre directrice}}]
sale: {does_not: [rent, share_for_marketing]}
disclosures:
  - {to: specialists, own: {en: "to plan your surgery", fr: "pour planifier votre chirurgie"}, consent: implied}
service_providers:
  - {own: {en: photo storage, fr: stockage des photos}, name: PhotoVault}
"""


def test_own_words_are_printed_escaped_in_each_language(make_project):
    project = make_project({"clinics/own/clinic.yaml": OWN})
    loaded = load_clinics(project, ["own"])[0]
    en = render_notice(project, loaded, "privacy", "en").markdown
    fr = render_notice(project, loaded, "privacy", "fr").markdown
    assert r"your skin type \*\*score\*\* (only with your consent)" in en or r"your skin type \*\*score\*\*" in en
    assert "votre &lt;b&gt;type&lt;/b&gt; de peau" in fr and "<b>" not in fr
    assert "plan your laser sessions" in en and "planifier vos séances de laser" in fr
    assert "a locked filing room" in en and "You can raise your concern with our clinic director." in en
    assert "laser hair removal" in en and "épilation au laser" in fr
    assert "OHIP" in en and "the consent forms you sign" in en and "oral, written and electronic form" in en
    assert "against loss, destruction and misuse" in en
    assert "We do not rent your personal information." in en
    assert "with specialists, to plan your surgery" in en and "pour planifier votre chirurgie" in fr
    assert "stockage des photos" in fr
    assert "photo storage, using PhotoVault" in en


def test_explain_marks_own_words_and_check_lists_them(make_project):
    from generator.checks import own_words_notes

    project = make_project({"clinics/own/clinic.yaml": OWN})
    loaded = load_clinics(project, ["own"])[0]
    item = explain_mod.explain(project, loaded, "privacy", LAWS, "en")
    own = [s.text for s, res in item.sentences if any(r.own for r in res)]
    assert any("plan your laser sessions" in t for t in own) and any("a locked filing room" in t for t in own)
    assert not any("telehealth" in t for t in own)
    as_json = item.as_dict()["sentences"]
    assert any(src.get("own") for s in as_json for src in s["sources"])
    ctx = Context("own", loaded.clinic, {}, {}, {}, {}, date(2026, 12, 1), "clinics/own/clinic.yaml",
                  locations=loaded.locations)
    notes = own_words_notes(ctx)
    assert len(notes) == 8 and any("uses.care.1" in n and "plan your laser sessions" in n for n in notes)
    assert all("clinic.yaml:" in n for n in notes)


@pytest.mark.parametrize("bad, says", [
    ("uses: {care: [{own: {en: only english}}]}", "uses.care.0: the clinic's own words has no text for fr"),
    ("uses: {care: [{own: {en: one, fr: un, es: uno}}]}", "has text for es, which the clinic does not list"),
    ("uses: {care: [{own: {en: \"two\\nlines\", fr: un}}]}", "single line"),
])
def test_own_words_need_every_listed_language_on_one_line(make_project, bad, says):
    from generator.errors import NoticesError

    base = OWN.split("collection:")[0]
    project = make_project({"clinics/own/clinic.yaml": base + bad + "\n"})
    with pytest.raises(NoticesError) as err:
        load_clinics(project, ["own"])
    assert says in str(err.value)


def test_a_partial_address_names_the_missing_key(make_project):
    from generator.errors import NoticesError

    project = make_project({"clinics/x/clinic.yaml": US.replace("contact: {phone: (719) 555-0100}",
                                                                "contact: {address: {street: 1 Main St, region: CO}}")})
    with pytest.raises(NoticesError) as err:
        load_clinics(project, ["x"])
    assert "contact.address.city" in str(err.value)
