"""Every compliance rule fires when what it requires is taken away, and only then.

Three fictional, complete clinics (tests/fixtures: a US clinic under every law, an Ontario custodian, a
British Columbia clinic under PIPA BC) have zero findings. For each rule we remove its
element — from the rendered text (as a template edit would) or from the data — and expect exactly
that rule to fire (or, where two rules of the checklist ask for the same element, both).
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.site.prepare import prepare
from generator.checks import RULES, context, run_one
from generator.checks.base import patterns_of
from generator.cli import main
from generator.data.load import LoadedClinic
from generator.data.model import Clinic
from generator.notices.render import render_notice
from generator.publishing.writing import publish
from tests.newnotices_cases import DATA_CASES as NEW_CASES, DATA_OVERLAP as NEW_OVERLAP, FIXTURES as NEW_FIXTURES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def clinics(tmp_path_factory):
    from generator.data.load import Project

    root = tmp_path_factory.mktemp("compliance")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for slug, name in (("us", "us-every-law.yaml"), ("ca", "ca-custodian.yaml"), ("bc", "ca-bc.yaml"),
                       *NEW_FIXTURES.items()):
        (root / "clinics" / slug).mkdir(parents=True)
        shutil.copy(FIXTURES / name, root / "clinics" / slug / "clinic.yaml")
    project = Project(root)
    for p in prepare(project, None, TODAY):
        for notice in p.loaded.clinic.notices:
            r = render_notice(project, p.loaded, notice)
            publish(project, p.loaded.slug, [], notice, r.lang, r.title, r.markdown, effective=TODAY, today=TODAY,
                    summary="First.", approved_by="Test", technical=False)
    return project, {p.loaded.slug: p for p in prepare(project, None, TODAY)}


def fired(ctx) -> set[str]:
    return {f.rule for f in run_one(ctx).findings}


def test_complete_fictional_clinics_have_no_findings(clinics):
    project, prepared = clinics
    for slug, p in prepared.items():
        assert run_one(context(project, p, TODAY)).findings == [], slug


def test_every_rule_applies_to_one_of_the_complete_clinics(clinics):
    project, prepared = clinics
    applied = {r.id for p in prepared.values() for r, why in run_one(context(project, p, TODAY)).checked if why is None}
    assert {r.id for r in RULES} - applied == set()


# Rules of the checklist that ask for the same element: removing it fires both.
# NPP-09 asks for a sentence that joins Part 2 records and fundraising; GPC is asked for by three rules;
# in Quebec the Commission is the commissioner PIPEDA-07 asks for (P-39.1 replacing PIPEDA) and QC-07's.
OVERLAP = {"CK-05": {"CA-10", "CO-01..09"}, "CA-10": {"CK-05", "CO-01..09"}, "CO-01..09": {"CA-10", "CK-05"},
           "NPP-07": {"NPP-09"}, "NPP-08": {"NPP-09"}, "CA-08": {"CA-17"}, "QC-07": {"PIPEDA-07"}}


def _owner(clinics, rule):
    project, prepared = clinics
    for p in prepared.values():
        ctx = context(project, p, TODAY)
        if rule.applies(ctx) is None:
            return ctx
    pytest.skip(f"{rule.id} applies to neither fixture")


TEXT_RULES = [r for r in RULES if patterns_of(r)]


@pytest.mark.parametrize("rule", TEXT_RULES, ids=lambda r: f"{r.id}-{r.notice}")
def test_removing_a_required_phrase_fires_its_rule(clinics, rule):
    ctx = _owner(clinics, rule)
    for notice, pattern in patterns_of(rule, ctx):
        broken = copy.copy(ctx)
        broken.texts = {**ctx.texts, notice: pattern.sub(" ", ctx.texts[notice])}
        new = fired(broken)
        assert rule.id in new, (rule.id, pattern.pattern)
        assert new - {rule.id} <= OVERLAP.get(rule.id, set()), (rule.id, pattern.pattern, new)


def _with(ctx, **changes):
    """The clinic with some data changed, and its notices rendered again from that data."""
    from generator.checks.base import plain_text, readable_text
    from generator.data.load import Project

    data = ctx.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    broken = copy.copy(ctx)
    broken.clinic = Clinic.model_validate(data)
    project = Project(ctx.templates_dir.parent)
    drafts = {n: render_notice(project, LoadedClinic(ctx.slug, broken.clinic, (), {}), n).markdown for n in ctx.texts}
    broken.texts = {n: plain_text(md) for n, md in drafts.items()}
    broken.readable = {n: readable_text(md) for n, md in drafts.items()}
    return broken


def _versions(ctx, notice, versions):
    broken = copy.copy(ctx)
    broken.versions = {**ctx.versions, notice: versions}
    return broken


def _later(ctx, notice, **changes):
    v1 = ctx.versions[notice][0]
    return _versions(ctx, notice, [v1, replace(v1, number=2, content=v1.content + "x", **changes)])


DATA_CASES = {
    "SITE-01": ("us", lambda c: _with(c, site_url=None)),
    "NPP-15": ("us", lambda c: _with(c, privacy_contact=None, contact__phone=None)),
    "NPP-14": ("us", lambda c: _with(c, privacy_contact={"role": "privacy_officer"}, contact={})),
    "NPP-16": ("us", lambda c: _versions(c, "hipaa", [])),
    "NPP-01": ("us", lambda c: replace_text(c, "hipaa", "PLEASE REVIEW IT CAREFULLY", "")),
    "NPP-R1": ("us", lambda c: _later(c, "hipaa", effective=TODAY, published=TODAY)),
    "CA-01..05": ("us", lambda c: _with(c, collection={})),
    "CA-09": ("us", lambda c: _with(c, requests__channels=[])),
    "CA-15": ("us", lambda c: _versions(c, "privacy", [replace(c.versions["privacy"][0], effective=date(2025, 1, 1))])),
    "CA-10": ("us", lambda c: _with(c, cookies__items=[])),
    "CA-17": ("us", lambda c: replace_text(c, "privacy", "Limit the Use of My Sensitive Personal Information", "")),
    "CA-18": ("us", lambda c: _with(c, service_providers=[{"name": "Jane App", "role": "scheduling"}])),
    "CO-10": ("us", lambda c: _with(c, changes__channels=["website"])),
    "CAL-01": ("us", lambda c: _with(c, collection={})),
    "CAL-03": ("us", lambda c: _with(c, changes__channels=[])),
    "CAL-04": ("us", lambda c: _versions(c, "privacy", [])),
    "CAL-05": ("us", lambda c: _with(c, cookies__honors_do_not_track=None)),
    "CAL-06": ("us", lambda c: _with(c, cookies__third_parties_track_across_sites=None)),
    "US-01": ("us", lambda c: replace_text(c, "privacy", "13", "thirteen")),
    "CK-01": ("us", lambda c: _with(c, cookies__items=[])),
    "CK-02": ("us", lambda c: replace_text(c, "cookies", "strictly necessary", "needed")),
    "CK-04": ("us", lambda c: _with(c, cookies__opt_out=[])),
    "CK-05": ("us", lambda c: _with(c, cookies__honors_gpc=None)),
    "CK-06": ("us", lambda c: _with(c, cookies__honors_do_not_track=None)),
    "CK-07": ("us", lambda c: _with(c, cookies__items=[{"name": "px", "provider": "AdCo", "purpose": "personalized_ads",
                                                         "duration": "1 year", "party": "third", "type": "pixel",
                                                         "category": "marketing", "pages": ["booking"]}],
                                    service_providers=[{"name": "AdCo", "role": "advertising", "receives": ["website"]},
                                                       {"name": "Jane App", "role": "scheduling", "receives": ["personal"]}])),
    "XD-01": ("us", lambda c: _with(c, cookies__items=[{"name": "x", "provider": "Unlisted Co", "purpose": "analytics",
                                                         "duration": "1 day", "party": "third", "category": "analytics"}])),
    "PL-01": ("us", lambda c: replace_readable(c, "privacy", "Notwithstanding multitudinous considerations, organizational administrative responsibilities necessitate comprehensive documentation. " * 40)),
    "A11Y-01": ("us", lambda c: _with(c, branding={"primary_color": "#ffee88"})),
    "LANG-01": ("us", lambda c: replace_text(c, "hipaa", "Si habla español", "")),
    "PHIPA-01": ("ca", lambda c: _with(c, safeguards={})),
    "PIPEDA-01": ("ca", lambda c: _with(c, contact__address=None)),
    "PIPEDA-03": ("ca", lambda c: _with(c, collection={})),
    "PIPEDA-04": ("ca", lambda c: _with(c, uses={})),
    "PIPEDA-06": ("ca", lambda c: replace_text(c, "privacy", "Maple Test Labs", "a lab")),
    "PIPEDA-07": ("ca", lambda c: _with(c, complaints__steps=[])),
    "PHIPA-02": ("ca", lambda c: _with(c, contact={}, privacy_contact={"role": "privacy_officer"})),
}
# The same rules on the British Columbia clinic: PIPA BC's sections, the same elements.
BC_CASES = {"PIPEDA-01": lambda c: _with(c, contact__address=None), "PIPEDA-04": lambda c: _with(c, uses={}),
            "PIPEDA-07": lambda c: replace_text(c, "privacy", "Information and Privacy Commissioner for British Columbia", "")}
# The Quebec example clinic (clinics/clinique-test-du-plateau): P-39.1 replaces PIPEDA there.
QC_CASES = {"PIPEDA-01": lambda c: _with(c, contact__address=None), "PIPEDA-04": lambda c: _with(c, uses={}),
            "PIPEDA-07": lambda c: replace_text(c, "privacy", "Commission d'accès à l'information du Québec", "")}
# Removing a fact that several rules need fires each of them.
DATA_OVERLAP = {"CA-01..05": {"CAL-01", "CA-08"}, "CAL-01": {"CA-01..05", "CA-08"}, "CAL-05": {"CK-06"}, "CK-06": {"CAL-05"},
                "CK-05": {"CA-10", "CO-01..09"}, "PIPEDA-03": {"PIPEDA-02"}, "PHIPA-02": {"PIPEDA-01"}, "PIPEDA-01": set(),
                "CAL-04": {"CA-15"}, "NPP-14": {"NPP-15"}, "CA-10": {"CK-01", "XD-01"}, "CAL-03": {"CO-10"},
                "CO-10": set(), "CK-01": {"CA-10"}}
DATA_CASES.update(NEW_CASES)  # consumer health data, Part 2, Quebec (tests/newnotices_cases.py)
DATA_OVERLAP.update(NEW_OVERLAP)


def replace_text(ctx, notice, old, new):
    broken = copy.copy(ctx)
    broken.texts = {**ctx.texts, notice: ctx.texts[notice].replace(old, new).replace(old.capitalize(), new)}
    return broken


def replace_readable(ctx, notice, text):
    broken = copy.copy(ctx)
    broken.readable = {**ctx.readable, notice: text}
    return broken


@pytest.mark.parametrize("rule_id", sorted(DATA_CASES))
def test_removing_a_required_fact_fires_its_rule(clinics, rule_id):
    project, prepared = clinics
    slug, mutate = DATA_CASES[rule_id]
    ctx = context(project, prepared[slug], TODAY)
    new = fired(mutate(ctx))
    assert rule_id in new
    assert new - {rule_id} <= DATA_OVERLAP.get(rule_id, set()), new


@pytest.mark.parametrize("rule_id", sorted(DATA_CASES))
def test_a_finding_caused_by_missing_data_names_the_key(clinics, rule_id):
    project, prepared = clinics
    slug, mutate = DATA_CASES[rule_id]
    mutated = mutate(context(project, prepared[slug], TODAY))
    findings = [f for f in run_one(mutated).findings if f.rule == rule_id]
    if mutated.clinic is not prepared[slug].loaded.clinic:  # the data was changed, not the text
        assert all(f.fix.startswith("clinic.yaml: ") for f in findings), findings
    else:
        assert not any(f.fix.startswith("clinic.yaml") for f in findings), findings


@pytest.mark.parametrize("rule_id", sorted(BC_CASES))
def test_british_columbia_findings_cite_pipa_bc_not_pipeda(clinics, rule_id):
    project, prepared = clinics
    findings = [f for f in run_one(BC_CASES[rule_id](context(project, prepared["bc"], TODAY))).findings]
    assert rule_id in {f.rule for f in findings}
    for f in findings:
        assert "PIPEDA" not in f.citation + f.message + f.fix, f
        assert "PIPA BC" in f.citation or f.rule.startswith("CK"), f


@pytest.mark.parametrize("rule_id", sorted(QC_CASES))
def test_quebec_findings_cite_p39_1_not_pipeda(clinics, rule_id):
    project, prepared = clinics
    findings = [f for f in run_one(QC_CASES[rule_id](context(project, prepared["qc"], TODAY))).findings]
    assert rule_id in {f.rule for f in findings}
    for f in findings:
        assert "PIPEDA" not in f.citation + f.message + f.fix, f
        assert "P-39.1" in f.citation or f.rule.startswith("CK"), f


def test_every_rule_has_a_test_that_fires_it():
    # NPP-W1: the page-template test; NPP-16's import case: tests/test_applies.py
    covered = {r.id for r in TEXT_RULES} | set(DATA_CASES) | {"NPP-W1"}
    assert {r.id for r in RULES} - covered == set()


def test_a_page_template_without_the_footer_fires_npp_w1(clinics, tmp_path):
    project, prepared = clinics
    ctx = context(project, prepared["us"], TODAY)
    assert "NPP-W1" not in fired(ctx)
    shutil.copytree(project.templates_dir, tmp_path / "templates")
    page = tmp_path / "templates" / "pages" / "version.md.j2"
    page.write_text(page.read_text().replace('{% include "pages/_footer.md.j2" %}', ""))
    broken = copy.copy(ctx)
    broken.templates_dir = tmp_path / "templates"
    assert fired(broken) == {"NPP-W1"}


def test_a_template_edit_that_drops_the_npp_header_is_caught(make_project):
    project = make_project({"clinics/t/clinic.yaml": (FIXTURES / "ca-custodian.yaml").read_text()
                            .replace("country: CA, region: \"ON\"", "country: US, region: CO")
                            .replace('region: "ON"', "region: CO").replace("regimes: {phipa_custodian: true, pipeda: true}", "")})
    template = project.templates_dir / "hipaa.md.j2"
    before = CliRunner().invoke(main, ["check", "--root", str(project.root), "--format", "json"])
    assert "NPP-01" not in {f["rule"] for f in json.loads(before.output)[0]["findings"]}
    template.write_text("\n".join(ln for ln in template.read_text().splitlines() if "THIS NOTICE DESCRIBES" not in ln))
    after = CliRunner().invoke(main, ["check", "--root", str(project.root), "--format", "json"])
    assert after.exit_code == 1
    assert "NPP-01" in {f["rule"] for f in json.loads(after.output)[0]["findings"]}


def test_the_example_clinics_report_their_real_gaps():
    result = CliRunner().invoke(main, ["check", "--root", str(REPO), "--format", "json", "--as-of", "2026-11-22"])
    assert result.exit_code == 1
    findings = {(r["clinic"], f["rule"]) for r in json.loads(result.output) for f in r["findings"]}
    assert ("lux-smiles", "NPP-15") in findings           # the page names no contact person or phone
    assert ("procerus-skin-care", "PIPEDA-01") in findings  # nor an accountable person's address
    assert ("procerus-skin-care", "PHIPA-02") in findings
    assert not any(c == "harbourview-family-clinic" and r.startswith(("NPP", "PIPEDA")) for c, r in findings)


def test_json_marks_rules_that_do_not_apply_and_sarif_is_2_1_0():
    out = CliRunner().invoke(main, ["check", "--root", str(REPO), "--format", "json", "procerus-skin-care"])
    rules = {r["rule"]: r for r in json.loads(out.output)[0]["rules"]}
    assert rules["NPP-01"]["applies"] is False and "HIPAA" in rules["NPP-01"]["not_applicable_because"]
    assert rules["PHIPA-04"]["applies"] is True
    sarif = json.loads(CliRunner().invoke(main, ["check", "--root", str(REPO), "--format", "sarif"]).output)
    assert sarif["version"] == "2.1.0"
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert all(res["ruleId"] in ids for res in sarif["runs"][0]["results"])
    assert any(res["ruleId"] == "NPP-15" for res in sarif["runs"][0]["results"])


def test_list_rules_prints_every_rule_with_its_citation_condition_and_version():
    out = CliRunner().invoke(main, ["check", "--list-rules"]).output
    assert "checklist version 2" in out
    for rule in RULES:
        assert rule.id in out and rule.citation in out
        assert f"applies: {rule.applies_when}; checklist version {rule.since}" in out
    assert "applies: ;" not in out


def test_a_hard_summary_fires_pl_01(clinics):
    project, prepared = clinics
    ctx = context(project, prepared["us"], TODAY)
    assert "PL-01" not in fired(ctx)
    broken = copy.copy(ctx)
    broken.summaries = {**ctx.summaries, "cookies": "Notwithstanding multitudinous organizational considerations, comprehensive documentation necessitates deliberation. " * 5}
    assert fired(broken) == {"PL-01"}
    gone = copy.copy(ctx)
    gone.summaries = {**ctx.summaries, "privacy": ""}
    assert fired(gone) == {"PL-01"}
