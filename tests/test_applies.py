"""Checklist version 2, "Applies means applies": a rule whose condition does not hold is not run and says
why; a finding cites only the laws that apply to the clinic; a finding caused by missing data names the
key to fill in. The four cases of issue 19, seen on real clinics' data, and what generalises them.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.checks import CHECKLIST_VERSION, RULES
from generator.cli import main
from generator.publishing.versions import load_versions
from tests.conftest import USES_COOKIES

AS_OF = "2026-11-22"
MICHIGAN = """\
name: Lakeshore Test Clinic (fictional)
practice: physician_practice
jurisdiction: {country: US, region: MI}
regimes: {ccpa: false, caloppa: false, colorado_privacy_act: false, federal_financial_assistance: false,
          facility_directory: false}
contact:
  phone: (616) 555-0100
  email: privacy@lakeshore.example.org
privacy_contact: {role: privacy_officer, name: Sam Example}
"""
# Its website uses cookies: it has a cookie notice (a clinic whose data never mentions cookies has none).
WITH_COOKIES = MICHIGAN + USES_COOKIES
COLORADO = MICHIGAN.replace("region: MI", "region: CO").replace("colorado_privacy_act: false", "colorado_privacy_act: true")


def check(project, *args):
    result = CliRunner().invoke(main, ["check", "--root", str(project.root), "--as-of", AS_OF, *args])
    assert "Traceback" not in result.output, result.output
    return result


def report(project, slug="t"):
    (data,) = [r for r in json.loads(check(project, "--format", "json", slug).output) if r["clinic"] == slug]
    return data


def test_ca_15_is_not_run_where_the_ccpa_does_not_apply(make_project):
    for yaml in (MICHIGAN, COLORADO):
        project = make_project({"clinics/t/clinic.yaml": yaml})
        data = report(project)
        rule = next(r for r in data["rules"] if r["rule"] == "CA-15")
        assert rule["applies"] is False
        assert "CCPA" in rule["not_applicable_because"] and "regimes.ccpa" in rule["not_applicable_because"]
        assert "CA-15" not in {f["rule"] for f in data["findings"]}
        assert "CA-15" not in check(project, "t").output


def test_every_rule_that_does_not_apply_says_why(make_project):
    project = make_project({"clinics/t/clinic.yaml": MICHIGAN})
    for rule in report(project)["rules"]:
        assert rule["applies"] or rule["not_applicable_because"].strip(), rule


def test_cookie_findings_cite_only_laws_that_apply_and_do_not_block_publishing(make_project):
    project = make_project({"clinics/t/clinic.yaml": WITH_COOKIES})
    findings = [f for f in report(project)["findings"] if f["rule"] in ("CK-01", "CK-04")]
    assert {f["rule"] for f in findings} == {"CK-01", "CK-04"}
    for f in findings:
        assert not any(law in f["citation"] for law in ("CCPA", "CalOPPA", "22575", "OPC")), f
        assert f["severity"] == "warning" and "best practice" in f["citation"]
    published = CliRunner().invoke(main, ["publish", "t", "cookies", "--root", str(project.root), "--summary", "First.",
                                          "--approved-by", "Pat Lee", "--as-of", AS_OF, "--effective", AS_OF])
    assert published.exit_code == 0, published.output


def test_a_californian_clinic_s_cookie_findings_cite_the_ccpa_and_caloppa(make_project):
    project = make_project({"clinics/t/clinic.yaml": WITH_COOKIES.replace("ccpa: false, caloppa: false", "ccpa: true, caloppa: true")})
    (f,) = [f for f in report(project)["findings"] if f["rule"] == "CK-01"]
    assert "CCPA" in f["citation"] and "22575" in f["citation"] and "Colorado" not in f["citation"]
    assert f["severity"] == "error"


def test_a_website_address_is_no_way_to_complain(make_project):
    website_only = MICHIGAN.replace("""contact:
  phone: (616) 555-0100
  email: privacy@lakeshore.example.org
privacy_contact: {role: privacy_officer, name: Sam Example}
""", "clinic_website: https://lakeshore.example.org/\n")
    project = make_project({"clinics/t/clinic.yaml": website_only})
    (f,) = [f for f in report(project)["findings"] if f["rule"] == "NPP-14"]
    assert f["severity"] == "error" and f["fix"].startswith("clinic.yaml: contact.")
    assert "NPP-14" not in {f["rule"] for f in report(make_project({"clinics/t/clinic.yaml": MICHIGAN}))["findings"]}


def test_missing_safeguards_name_the_data_key_not_a_template(make_project):
    ontario = """\
name: Ontario Test Clinic (fictional)
practice: physician_practice
jurisdiction: {country: CA, region: "ON"}
regimes: {phipa_custodian: true}
contact:
  address: {street: 3 Test Lane, city: Toronto, region: "ON", postal_code: "M0M 0M1"}
"""
    project = make_project({"clinics/t/clinic.yaml": ontario})
    findings = [f for f in report(project)["findings"] if f["rule"] in ("PHIPA-01", "PL-01")]
    phipa = [f for f in findings if f["rule"] == "PHIPA-01"]
    assert phipa and all(f["fix"].startswith("clinic.yaml: ") for f in phipa)
    assert any("safeguards" in f["fix"] for f in phipa)
    summary = [f for f in findings if f["rule"] == "PL-01" and "at a glance" in f["message"]]
    assert summary and all(f["fix"].startswith("clinic.yaml: ") for f in summary)
    assert not any("template" in f["fix"] for f in phipa + summary)


def test_an_unstated_condition_is_reported_naming_the_key(make_project):
    project = make_project({"clinics/t/clinic.yaml": MICHIGAN.replace(", federal_financial_assistance: false", "")})
    data = report(project)
    (rule,) = [r for r in data["rules"] if r["rule"] == "LANG-01"]
    assert rule["applies"] is False and rule["not_stated"] == "regimes.federal_financial_assistance"
    (f,) = [f for f in data["findings"] if f["rule"] == "LANG-01"]
    assert f["severity"] == "warning" and f["fix"] == "clinic.yaml: regimes.federal_financial_assistance (true or false)"
    stated = make_project({"clinics/t/clinic.yaml": MICHIGAN})
    assert "LANG-01" not in {f["rule"] for f in report(stated)["findings"]}


def test_federal_financial_assistance_makes_language_help_required(make_project):
    project = make_project({"clinics/t/clinic.yaml": MICHIGAN.replace("federal_financial_assistance: false",
                                                                      "federal_financial_assistance: true")})
    (f,) = [f for f in report(project)["findings"] if f["rule"] == "LANG-01"]
    assert f["severity"] == "error" and f["fix"].startswith("clinic.yaml: language_assistance")
    assert "45 CFR 92.11" in f["citation"]


def test_an_imported_first_version_keeps_its_earlier_date(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MICHIGAN})
    source = tmp_path / "npp.txt"
    source.write_text("Our notice of privacy practices, as we published it.\n")
    imported = CliRunner().invoke(main, ["import", "t", "hipaa", str(source), "--root", str(project.root),
                                         "--effective", "2024-03-01", "--approved-by", "Pat Lee"])
    assert imported.exit_code == 0, imported.output
    assert "NPP-16" not in {f["rule"] for f in report(project)["findings"]}


def test_a_published_version_records_the_checklist_version(make_project):
    project = make_project({"clinics/t/clinic.yaml": MICHIGAN})
    result = CliRunner().invoke(main, ["publish", "t", "hipaa", "--root", str(project.root), "--summary", "First.",
                                       "--approved-by", "Pat Lee", "--as-of", AS_OF, "--effective", AS_OF])
    assert result.exit_code == 0, result.output
    record = json.loads((project.clinic_dir("t") / "versions" / "hipaa" / "v1.json").read_text())
    assert record["checklist"] == CHECKLIST_VERSION == 2
    (v1,) = load_versions(project, "t", ["hipaa"])["hipaa"]
    assert v1.checklist == 2


def test_every_rule_states_its_condition_and_version():
    for rule in RULES:
        assert rule.applies_when and rule.since in (1, CHECKLIST_VERSION), rule.id


def _context(make_project, yaml):
    from datetime import date

    from generator.checks import context
    from generator.site.prepare import prepare

    project = make_project({"clinics/t/clinic.yaml": yaml})
    (p,) = prepare(project, None, date(2026, 11, 22))
    return context(project, p, date(2026, 11, 22))


def _unstated(ctx, **regimes):
    # What the model will allow once facts keep three states (branch truth): None is not stated.
    ctx.clinic = ctx.clinic.model_copy(update={"regimes": ctx.clinic.regimes.model_copy(update=regimes)})
    return ctx


def test_a_regime_not_stated_is_neither_yes_nor_no(make_project):
    from generator.checks import run_one

    ctx = _unstated(_context(make_project, MICHIGAN), ccpa=None, part2_records=None)
    result = run_one(ctx)
    why = {rule.id: reason for rule, reason in result.checked}
    assert why["CA-15"] is not None and "regimes.ccpa" in why["CA-15"]
    (warning,) = [f for f in result.findings if "regimes.ccpa" in f.fix]
    assert warning.severity == "warning" and "CA-15" in warning.message and "CA-01..05" in warning.message
    assert why["NPP-08"] is None  # applies unless the data says the clinic holds no Part 2 records
    assert why["CAL-01"] is not None and "regimes.caloppa is false" in why["CAL-01"]


def test_a_marketing_tracker_on_public_pages_alone_is_not_ck_07(make_project):
    from generator.checks import run_one

    tracker = """\
cookies:
  opt_out: [browser_settings]
  honors_gpc: false
  items:
    - {name: px, provider: AdCo, purpose: personalized_ads, duration: 1 year, party: third, type: pixel, category: marketing, pages: [PAGES]}
service_providers:
  - {name: AdCo, role: advertising}
"""
    public = run_one(_context(make_project, MICHIGAN + tracker.replace("PAGES", "contact")))
    assert "CK-07" not in {f.rule for f in public.findings}
    booking = run_one(_context(make_project, MICHIGAN + tracker.replace("PAGES", "booking")))
    (f,) = [f for f in booking.findings if f.rule == "CK-07"]
    assert f.severity == "warning" and f.fix.startswith("clinic.yaml: cookies.items.0.pages")


def test_an_alberta_clinic_names_pipa_alberta_in_its_notice_and_findings(make_project):
    from pathlib import Path

    from generator.checks import run_one

    bc = (Path(__file__).parent / "fixtures" / "ca-bc.yaml").read_text()
    alberta = bc.replace("region: BC", "region: AB").replace("city: Vancouver", "city: Calgary")
    ctx = _context(make_project, alberta)
    text = ctx.text("privacy")
    assert "Alberta's private-sector privacy law" in text and "PIPEDA" not in text
    assert "Information and Privacy Commissioner of Alberta" in text
    assert run_one(ctx).findings == []
    ctx.clinic = ctx.clinic.model_copy(update={"complaints": ctx.clinic.complaints.model_copy(update={"steps": []})})
    (f,) = [f for f in run_one(ctx).findings if f.rule == "PIPEDA-07"]
    assert "PIPA Alberta" in f.citation and "PIPEDA" not in f.citation + f.message + f.fix


QUEBEC = Path(__file__).resolve().parent.parent / "clinics" / "clinique-test-du-plateau" / "clinic.yaml"


def test_a_quebec_clinic_names_p39_1_and_the_commission_in_its_notice_and_findings(make_project):
    from generator.checks import run_one

    ctx = _context(make_project, QUEBEC.read_text())
    text = ctx.text("privacy")
    assert "Quebec's private-sector privacy law" in text and "(P-39.1)" in text
    assert "PIPEDA" not in text and "Privacy Commissioner of Canada" not in text
    # Named once, under "Concerns and complaints": the Quebec section leaves it to that section.
    assert text.count("Commission d'accès à l'information du Québec") == 1
    assert "In Quebec, we follow" not in text  # the statement's first words named the Act already
    assert run_one(ctx).findings == []
    ctx.clinic = ctx.clinic.model_copy(update={"complaints": ctx.clinic.complaints.model_copy(update={"steps": []})})
    (f,) = [f for f in run_one(ctx).findings if f.rule == "PIPEDA-07"]
    assert f.citation.startswith("P-39.1") and "PIPEDA" not in f.citation + f.message + f.fix


def test_a_quebec_clinic_in_french_complains_to_la_commission(make_project):
    from generator.data.load import load_clinics
    from generator.notices.render import render_notice

    project = make_project({"clinics/t/clinic.yaml": QUEBEC.read_text()})
    text = render_notice(project, load_clinics(project, ["t"])[0], "privacy", "fr").markdown
    assert "porter plainte auprès de la Commission d'accès à l'information du Québec." in text
    assert "RLRQ, chapitre P-39.1" in text and "PIPEDA" not in text


def test_a_clinic_outside_quebec_that_collects_there_keeps_the_quebec_sentences(make_project):
    bc = (Path(__file__).parent / "fixtures" / "ca-bc.yaml").read_text()
    ontario = (bc.replace("region: BC", 'region: "ON"').replace("city: Vancouver", "city: Ottawa")
               + "quebec: {collection_means: [forms], outside_quebec: false, r22_1: false}\n")
    text = _context(make_project, ontario).text("privacy")
    assert "Canada's federal privacy law" in text and "Privacy Commissioner of Canada" in text
    assert "In Quebec, we follow the Act respecting the protection of personal information in the private sector." in text
    assert "you can complain to the Commission d'accès à l'information du Québec, at www.cai.gouv.qc.ca." in text
