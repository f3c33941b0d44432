"""The new notices of checklist version 2: consumer health data (chd), a Part 2 program's notice (part2,
or combined with the NPP) and a Quebec privacy statement. Each rule's own "remove it and it fires" test
runs in tests/test_compliance.py with the fixtures and cases of tests/newnotices_cases.py; here: what
those do not reach (data errors, sources, the combined form, the link snippet, the built sites).
"""

from __future__ import annotations

import copy
import json

from click.testing import CliRunner

from generator.announcing import embed
from generator.checks import context, run_one
from generator.cli import main
from generator.data.load import load_clinics
from generator.notices import explain as explain_mod
from generator.checks import RULES
from tests.newnotices_cases import FIXTURES, SLUGS, TODAY

WA, P2, QC = (FIXTURES[k].read_text(encoding="utf-8") for k in ("wa", "p2", "qc"))


def test_a_geofence_is_a_data_error_naming_the_key_and_the_law(make_project):
    project = make_project({"clinics/spa/clinic.yaml": WA.replace("geofencing: false", "geofencing: true")})
    out = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert out.exit_code == 1
    assert "clinics/spa/clinic.yaml:" in out.output and "consumer_health.geofencing" in out.output
    assert "RCW 19.373.080" in out.output and "Traceback" not in out.output


def test_new_blocks_outside_their_country_are_data_errors(make_project):
    project = make_project({"clinics/a/clinic.yaml": QC + "part2_program: {notice: separate}\n",
                            "clinics/b/clinic.yaml": WA + "quebec: {collection_means: [forms]}\n",
                            "clinics/c/clinic.yaml": P2.replace("  part2_records: true\n", "")})
    out = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "part2_program: applies to US clinics only" in out.output
    assert "quebec: applies to Canadian clinics only" in out.output
    assert "regimes.part2_records" in out.output


def test_every_sentence_of_the_new_notices_has_a_source(make_project):
    project = make_project({f"clinics/{slug}/clinic.yaml": FIXTURES[k].read_text() for k, slug in SLUGS.items()})
    for slug, notice in ((SLUGS["wa"], "chd"), (SLUGS["p2"], "part2")):
        out = CliRunner().invoke(main, ["explain", slug, notice, "--strict", "--root", str(project.root)])
        assert out.exit_code == 0, out.output
    # The other languages (these clinics list only English): every sentence sourced there too.
    laws = {r.id: r.citation for r in RULES}
    for slug, notice in ((SLUGS["wa"], "chd"), (SLUGS["p2"], "part2")):
        loaded = load_clinics(project, [slug])[0]
        for lang in ("es", "fr"):
            assert explain_mod.unsourced([explain_mod.explain(project, loaded, notice, laws, lang)]) == [], (slug, lang)


def test_every_quebec_sentence_has_a_source(make_project):
    # The rest of the Canadian statement is marked by another change; here the Quebec parts, each
    # rendered on its own as the statement and the cookie notice include them, in every language.
    from generator.notices import sources
    from generator.notices.render import environment

    project = make_project({"clinics/qc/clinic.yaml": QC})
    loaded = load_clinics(project, ["qc"])[0]
    laws = {r.id: r.citation for r in RULES}
    for lang in ("fr", "en", "es"):
        env = environment(project.templates_dir, lang)
        for name, notice in (("partials/quebec.md.j2", "privacy"), ("partials/quebec-cookies.md.j2", "cookies")):
            with sources.marking():
                marked = env.get_template(name).render(clinic=loaded.clinic, notice=notice, notices=loaded.clinic.notices)
            found = sources.sentences(marked)
            assert len(found) > (10 if notice == "privacy" else 0), (name, lang)
            for sentence in found:
                resolved = [explain_mod.resolve(loaded, src, laws) for src in sentence.sources]
                assert resolved and all(r.stated for r in resolved), (name, lang, sentence.text, resolved)


def test_the_part2_notice_combined_with_the_npp(make_project):
    project = make_project({"clinics/p2/clinic.yaml": P2.replace("notice: separate", "notice: combined")})
    loaded = load_clinics(project, ["p2"])[0]
    assert "part2" not in loaded.clinic.notices
    from generator.notices.render import render_notice

    npp = render_notice(project, loaded, "hipaa").markdown
    assert "Notice of Privacy Practices of Riverbend Recovery Outpatient Program" in npp
    assert npp.index("THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION") < npp.index("Notice of Privacy Practices of")
    from generator.site.prepare import prepare
    from generator.publishing.writing import publish

    for notice in loaded.clinic.notices:
        r = render_notice(project, loaded, notice)
        publish(project, "p2", [], notice, r.lang, r.title, r.markdown, effective=TODAY, today=TODAY,
                summary="First.", approved_by="Test", technical=False)
    ctx = context(project, prepare(project, None, TODAY)[0], TODAY)
    found = {f.rule for f in run_one(ctx).findings}
    assert not {r for r in found if r.startswith("P2-")}, found
    broken = copy.copy(ctx)
    broken.texts = {**ctx.texts, "hipaa": ctx.texts["hipaa"].replace("Notice of Privacy Practices of", "")}
    assert "P2-01" in {f.rule for f in run_one(broken).findings}
    # The separate notice's own rules point at the NPP in that case.
    assert "P2-07" not in found


def test_chd_02_fires_without_the_homepage_words_in_the_link_snippet(monkeypatch, make_project):
    project = make_project({"clinics/wa/clinic.yaml": WA})
    from generator.site.prepare import prepare

    ctx = context(project, prepare(project, None, TODAY)[0], TODAY)
    assert "CHD-02" not in {f.rule for f in run_one(ctx).findings}
    monkeypatch.setattr(embed, "HOMEPAGE", {})
    assert "CHD-02" in {f.rule for f in run_one(ctx).findings}


def test_quebec_tracking_is_opt_in_and_consent_by_using_the_site_is_a_finding(make_project):
    from generator.announcing.consent import opt_in
    from generator.site.prepare import prepare

    project = make_project({"clinics/qc/clinic.yaml": QC.replace("cookies:\n", "cookies:\n  consent_by_using_site: true\n")})
    p = prepare(project, None, TODAY)[0]
    assert p.loaded.clinic.cookies.consent_by_using_site and opt_in(p.loaded.clinic)
    findings = [f for f in run_one(context(project, p, TODAY)).findings if f.rule == "QC-05"]
    assert findings and "cookies.consent_by_using_site" in findings[0].message


def test_the_fixtures_build_into_sites_with_the_new_notices(make_project):
    from generator.site.build import build

    project = make_project({f"clinics/{slug}/clinic.yaml": FIXTURES[k].read_text() for k, slug in SLUGS.items()})
    build(project, as_of=TODAY)
    site = project.root / "site"
    wa, p2, qc = (site / SLUGS[k] for k in ("wa", "p2", "qc"))
    assert "Consumer Health Data Privacy Policy" in (wa / "chd" / "index.html").read_text()
    link = (wa / "embed" / "chd-link.html").read_text()
    assert "homepage" in link and "RCW 19.373.020(1)(b)" in link and 'href="https://notices.example.org/cascade-glow-med-spa/chd/"' in link
    assert "Consumer Health Data Privacy Policy" in (wa / "index.html").read_text()
    assert "Notice of Privacy Practices of Riverbend Recovery Outpatient Program" in (p2 / "part2" / "index.html").read_text()
    assert "Commission d’accès à l’information" in (qc / "privacy" / "index.html").read_text().replace("'", "’") \
        or "Commission d&#39;accès" in (qc / "privacy" / "index.html").read_text()
    config = (qc / "embed" / "consent.js").read_text()
    assert '"mode":"opt-in"' in config.replace(" ", "")
    assert json.loads((wa / "versions.json").read_text())["notices"][3]["notice"] == "chd"


def test_a_clinic_can_import_its_consumer_health_data_policy_and_part2_notice(make_project):
    from generator.publishing.importing import clinic_notices

    project = make_project({"clinics/wa/clinic.yaml": WA, "clinics/p2/clinic.yaml": P2})
    notices, _, title = clinic_notices(project, "wa")
    assert "chd" in notices and title("chd", "en") == "Consumer Health Data Privacy Policy"
    assert "part2" in clinic_notices(project, "p2")[0]
