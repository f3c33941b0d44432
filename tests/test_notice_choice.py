"""The clinic chooses its notices (issue 18 item 4): a `notices` list in clinic.yaml, the usual set
without it (a cookie notice only where the data says the website uses cookies or trackers), and one
combined document holding the website policy and the NPP. A notice not chosen is not built, checked
or announced."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from generator.checks import context, run_one
from generator.cli import main
from generator.data.load import load_clinics
from generator.errors import DataErrors
from generator.notices.render import explain_notice, render_notice
from generator.site.build import build
from generator.site.prepare import prepare
from tests.conftest import MINIMAL

AS_OF = date(2026, 1, 10)
COOKIE = """\
cookies:
  items:
    - {name: sid, provider: Test Clinic, purpose: site_function, duration: session, party: first, type: cookie, category: strictly_necessary}
"""
COVERED = "regimes: {hipaa_covered_entity: true}\n"
COMBINED = MINIMAL + "site_url: https://notices.example.org/t/\n" + "regimes: {hipaa_covered_entity: true, colorado_privacy_act: true, facility_directory: false}\n" + "notices: [combined, cookies]\n" + COOKIE + """\
privacy_contact: {role: privacy_officer, phone: (719) 555-0101}
collection:
  personal: {items: [name]}
  website: {items: [ip_address]}
uses: {care: [provide_treatment]}
language_assistance: {languages: [es]}
"""


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


def notices_of(make_project, text: str) -> list[str]:
    project = make_project({"clinics/t/clinic.yaml": text})
    return load_clinics(project, ["t"])[0].clinic.notices


def problems_of(make_project, text: str):
    project = make_project({"clinics/t/clinic.yaml": text})
    with pytest.raises(DataErrors) as caught:
        load_clinics(project, ["t"])
    return caught.value.problems


# --------------------------------------------------------------------------------------------------
# Which notices


def test_without_the_key_a_cookie_notice_only_where_the_data_says_cookies(make_project):
    assert notices_of(make_project, MINIMAL) == ["privacy", "hipaa"]
    assert notices_of(make_project, MINIMAL + COOKIE) == ["privacy", "cookies", "hipaa"]
    assert notices_of(make_project, MINIMAL + "collection: {website: {items: [cookies]}}\n") == ["privacy", "cookies", "hipaa"]
    assert notices_of(make_project, MINIMAL + "cookies: {web_beacons: {on_site: true}}\n") == ["privacy", "cookies", "hipaa"]
    canadian = MINIMAL.replace("{country: US, region: CO}", "{country: CA, region: BC}")
    assert notices_of(make_project, canadian) == ["privacy"]


def test_the_listed_notices_in_site_order(make_project):
    assert notices_of(make_project, MINIMAL + "notices: [privacy]\n") == ["privacy"]
    assert notices_of(make_project, MINIMAL + COVERED + "notices: [hipaa, cookies, privacy]\n") == ["privacy", "cookies", "hipaa"]
    assert notices_of(make_project, MINIMAL + "notices: [cookies]\n") == ["cookies"]


@pytest.mark.parametrize("listed, key, words", [
    ("[privacy, nope]", "notices.1", "'nope' is not an allowed value"),
    ("[privacy, cookies, privacy]", "notices.2", "listed twice"),
    ("[privacy, hipaa]", "notices.1", "regimes.hipaa_covered_entity"),
    ("[combined]", "notices.0", "regimes.hipaa_covered_entity"),
    ("[]", "notices", "lists no notice"),
])
def test_a_bad_list_is_a_data_error_with_its_line_and_a_fix(make_project, listed, key, words):
    (problem,) = problems_of(make_project, MINIMAL + f"notices: {listed}\n")
    assert (problem.file, problem.line, problem.key) == ("clinics/t/clinic.yaml", 7, key)
    assert words in f"{problem.message} {problem.hint}"


def test_combined_with_its_parts_or_outside_the_us_is_refused(make_project):
    (problem,) = problems_of(make_project, MINIMAL + COVERED + "notices: [combined, hipaa]\n")
    assert problem.key == "notices.1" and "already part of 'combined'" in problem.message
    (problem,) = problems_of(make_project, MINIMAL + COVERED + "notices: [privacy, combined]\n")
    assert problem.key == "notices.0" and "list one or the other" in problem.message
    canadian = MINIMAL.replace("{country: US, region: CO}", "{country: CA, region: BC}")
    (problem,) = problems_of(make_project, canadian + "notices: [privacy, hipaa]\n")
    assert problem.key == "notices.1" and "US only" in problem.message


# --------------------------------------------------------------------------------------------------
# A notice not chosen is not built, checked or announced


def test_procerus_gets_no_cookie_notice_and_no_cookie_findings(make_project):
    project = make_project(examples=True)
    (p,) = prepare(project, ["procerus-skin-care"], AS_OF)
    assert p.loaded.clinic.notices == ["privacy"]
    result = run_one(context(project, p, AS_OF))
    assert not [f for f in result.findings if f.rule.startswith("CK-")]
    assert all(reason for rule, reason in result.checked if rule.notice == "cookies")
    # Its earlier cookie versions stay where they are, never deleted; they are just not built.
    assert (project.clinic_dir("procerus-skin-care") / "versions" / "cookies" / "v1.json").is_file()
    refused = cli(project, "publish", "procerus-skin-care", "cookies", "--effective", "2030-01-01",
                  "--summary", "x", "--approved-by", "y")
    assert refused.exit_code == 1
    assert "does not publish a 'cookies' notice" in refused.output and "`notices`" in refused.output


def test_a_notice_not_chosen_has_no_page_feed_embed_or_consent_manager(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + COOKIE + "notices: [privacy]\n"})
    build(project, ["t"], as_of=AS_OF)
    site = project.site_dir / "t"
    assert (site / "privacy" / "index.html").is_file()
    for gone in ("cookies", "hipaa"):
        assert not (site / gone).exists()
        assert not (site / "embed" / f"{gone}.html").exists()
    assert not (site / "embed" / "consent.js").exists()
    assert "cookies/" not in (site / "index.html").read_text(encoding="utf-8")
    (p,) = prepare(project, ["t"], AS_OF)
    result = run_one(context(project, p, AS_OF))
    assert not [f for f in result.findings if f.notice in ("cookies", "hipaa")]
    assert not [f for f in result.findings if f.rule.startswith(("NPP-", "CK-", "XD-"))]
    assert dict((r.id, why) for r, why in result.checked)["XD-01"].startswith("the clinic publishes no cookie notice")
    for command, notice in ((["diff", "t", "hipaa"], "hipaa"), (["explain", "t", "cookies"], "cookies"),
                            (["import", "t", "hipaa", "clinic.yaml", "--effective", "2026-01-01", "--approved-by", "x"], "hipaa"),
                            (["publish", "t", "cookies", "--effective", "2030-01-01", "--summary", "x", "--approved-by", "y"], "cookies")):
        refused = cli(project, *command)
        assert refused.exit_code == 1, command
        assert f"does not publish a {notice!r} notice" in refused.output and f"add {notice!r} to `notices`" in refused.output


# --------------------------------------------------------------------------------------------------
# The combined notice


@pytest.fixture
def combined(make_project):
    return make_project({"clinics/t/clinic.yaml": COMBINED})


def test_combined_holds_each_part_once_the_npp_header_first(combined):
    (loaded,) = load_clinics(combined, ["t"])
    text = render_notice(combined, loaded, "combined").markdown
    assert text.startswith("**THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION ABOUT YOU")
    for once in ("THIS NOTICE DESCRIBES", "## Contact us", "is a medical practice in", "{: #at-a-glance }",
                 "## Website Privacy Policy", "## Your Rights", "### Information we collect",
                 "ayuda gratuita en su idioma"):
        assert text.count(once) == 1, once
    # The website policy sits below the NPP, its sections a level down; contact details come last.
    assert text.index("## Your Rights") < text.index("## Website Privacy Policy") < text.index("### Information we collect")
    assert text.index("### Information we collect") < text.index("## Contact us")
    # Neither part points to the other as a separate notice.
    assert "Our Website Privacy Policy explains" not in text and "Our Notice of Privacy Practices explains" not in text
    assert render_notice(combined, loaded, "combined").title == "Notice of Privacy Practices and Website Privacy Policy"
    # The cookie notice points to the document that holds the website policy.
    assert ("Our Notice of Privacy Practices and Website Privacy Policy explains how we handle your personal "
            "information in general.") in render_notice(combined, loaded, "cookies").markdown


def test_the_combined_document_own_sentences_have_sources(combined):
    (loaded,) = load_clinics(combined, ["t"])
    _, found = explain_notice(combined, loaded, "combined")
    heading = next(s for s in found if s.text == "Website Privacy Policy")
    assert [(s.kind, s.key) for s in heading.sources] == [("setting", "notices")]


def test_the_check_holds_combined_to_both_rule_sets(combined):
    (p,) = prepare(combined, ["t"], AS_OF)
    ctx = context(combined, p, AS_OF)
    result = run_one(ctx)
    applied = {rule.id for rule, reason in result.checked if reason is None}
    assert {"NPP-01", "NPP-02", "NPP-03", "NPP-14", "NPP-15", "NPP-16"} <= applied
    from generator.checks import us_privacy
    policy_rules = {r.id for r in us_privacy.RULES if r.applies(ctx) is None}
    assert policy_rules and policy_rules <= applied  # the website policy's rules too
    assert {f.notice for f in result.findings} <= {"combined", "cookies", "site", None}
    assert not [f for f in result.findings if f.rule in ("NPP-01", "NPP-02", "NPP-03", "NPP-14")]
    # The rules read the combined text: without the header, NPP-01 fails on it.
    ctx.texts["combined"] = ctx.texts["combined"].replace("THIS NOTICE DESCRIBES", "THIS TEXT SAYS")
    assert [f.notice for f in run_one(ctx).findings if f.rule == "NPP-01"] == ["combined"]


def test_combined_is_built_published_and_its_parts_refused(combined):
    assert cli(combined, "publish", "t", "combined", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               "--summary", "First.", "--approved-by", "Pat Lee", "--allow-findings", "test").exit_code == 0
    build(combined, ["t"], as_of=AS_OF)
    site = combined.site_dir / "t"
    assert (site / "combined" / "index.html").is_file() and (site / "combined" / "v1" / "index.html").is_file()
    assert (site / "embed" / "combined.html").is_file()
    assert not (site / "privacy").exists() and not (site / "hipaa").exists()
    for part in ("hipaa", "privacy"):
        refused = cli(combined, "publish", "t", part, "--effective", "2030-01-10", "--summary", "x",
                      "--approved-by", "y")
        assert refused.exit_code == 1 and "as part of 'combined'" in refused.output and "use 'combined'" in refused.output
