"""Every kind of bad input: a clear message with file and line, exit 1, no traceback, nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import MINIMAL, tree_bytes

CASES = {
    "malformed-yaml": ("name: [Test\n", "clinic.yaml:2:1: is not valid YAML"),
    "duplicate-key": (MINIMAL + "name: Again\n", "clinic.yaml:7:1: name: duplicate key (first given on line 1)"),
    "unknown-key": (MINIMAL + "legal_nmae: Test LLC\n", "clinic.yaml:7:1: legal_nmae: unknown key 'legal_nmae' (did you mean 'legal_name'?)"),
    "unknown-nested-key": (MINIMAL.replace("  email:", "  emial:"),
                           "clinic.yaml:6:3: contact.emial: unknown key 'emial' (did you mean 'email'?)"),
    "wrong-type": (MINIMAL + "languages: en\n", "clinic.yaml:7:1: languages: must be a list"),
    "wrong-vocabulary": (MINIMAL.replace("physician_practice", "physician_practise"),
                         "clinic.yaml:2:1: practice: 'physician_practise' is not an allowed value (did you mean 'physician_practice'?"),
    "bad-email": (MINIMAL.replace("privacy@example.com", "privacy-at-example"),
                  "clinic.yaml:6:3: contact.email: 'privacy-at-example' is not an email address"),
    "bad-phone": (MINIMAL.replace("(719) 555-0100", "call us"), "clinic.yaml:5:3: contact.phone: not a phone number"),
    "bad-colour": (MINIMAL + "branding: {primary_color: blue}\n",
                   "clinic.yaml:7:12: branding.primary_color: must be a colour written as # and six hex digits"),
    "bad-date": (MINIMAL + "retention: {minimum_years_after_last_treatment: seven}\n",
                 "clinic.yaml:7:13: retention.minimum_years_after_last_treatment: must be a whole number"),
    "bad-url": (MINIMAL + "site_url: not a url\n", "clinic.yaml:7:1: site_url: 'not a url' is not a web address"),
    "python-tag": (MINIMAL + "legal_name: !!python/object/apply:os.system ['echo pwned']\n",
                   "clinic.yaml:7:13: legal_name: the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    "alias-bomb": (MINIMAL + 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                   'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
                   "b.0: anchors and aliases (&name, *name) are not supported"),
    "merge-key": (MINIMAL + "x: {a: 1}\ny:\n  <<: {b: 2}\n", "clinic.yaml:9:3: y: merge keys (<<) are not supported"),
    "region-not-in-country": (MINIMAL.replace("region: CO", "region: ON"),
                              "clinic.yaml:3:1: jurisdiction: region 'ON' is not a code of US"),
    "yaml11-boolean-stays-text": (MINIMAL.replace("country: US, region: CO", "country: CA, region: ON") + "regimes: {hipaa_covered_entity: yes}\n",
                                  "clinic.yaml:7:11: regimes.hipaa_covered_entity: must be true or false, not 'yes'"),
    "missing-required": ("practice: medical_spa\njurisdiction: {country: US, region: CO}\n",
                         "clinic.yaml:1:1: name: is required (add this key)"),
    "missing-logo": (MINIMAL + "branding: {logo: logo.svg}\n", "clinic.yaml:7:12: branding.logo: no file 'logo.svg'"),
    "logo-outside-folder": (MINIMAL + "branding: {logo: ../../etc/passwd.png}\n",
                            "clinic.yaml:7:12: branding.logo: must be a file name inside the clinic's folder"),
    "not-a-mapping": ("- just\n- a list\n", "clinic.yaml:1:1: must be a mapping of keys to values"),
    "not-utf8": (None, "is not UTF-8 text"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_clinic_file_is_reported_with_its_line(make_project, case):
    text, expected = CASES[case]
    project = make_project({"clinics/good/clinic.yaml": MINIMAL})
    bad = project.clinics_dir / "bad" / "clinic.yaml"
    bad.parent.mkdir()
    if text is None:
        bad.write_bytes(b"name: Caf\xe9\n")
    else:
        bad.write_text(text, encoding="utf-8")
    # A site already published must survive a failed run untouched.
    result = CliRunner().invoke(main, ["build", "--root", str(project.root), "good"])
    assert result.exit_code == 0, result.output
    before = tree_bytes(project.site_dir)

    result = CliRunner().invoke(main, ["build", "--root", str(project.root)])

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"clinics/bad/{expected}" in result.output or expected in result.output, result.output
    assert "nothing was written" in result.output
    assert result.output.count("clinics/bad/") <= 3  # one clear message, not a flood
    assert tree_bytes(project.site_dir) == before
    assert not (project.site_dir / "bad").exists()


def test_check_reports_every_problem_in_every_clinic_at_once(make_project):
    project = make_project({
        "clinics/one/clinic.yaml": MINIMAL.replace("privacy@example.com", "nope") + "colour: red\n",
        "clinics/two/clinic.yaml": MINIMAL.replace("physician_practice", "spa"),
    })
    result = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("clinics/")]
    assert [ln.split(": ")[0] for ln in lines] == [
        "clinics/one/clinic.yaml:6:3", "clinics/one/clinic.yaml:7:1", "clinics/two/clinic.yaml:2:1"]


@pytest.mark.parametrize("slug", ["../etc", "a/b", "UPPER", "nope"])
def test_bad_or_unknown_slug_is_refused(make_project, slug):
    project = make_project({"clinics/good/clinic.yaml": MINIMAL})
    result = CliRunner().invoke(main, ["build", "--root", str(project.root), slug])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("no clinic named" in result.output) or ("is not a valid clinic name" in result.output)
    assert not project.site_dir.exists()


def test_unknown_group_is_reported(make_project):
    project = make_project({"clinics/x/clinic.yaml": "group: jane-ap\n" + MINIMAL, "groups/jane-app.yaml": "practice: medical_spa\n"})
    result = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "clinics/x/clinic.yaml:1:1: group: no group file groups/jane-ap.yaml (did you mean jane-app?)" in result.output


def test_error_in_group_file_names_the_group_file(make_project):
    project = make_project({"clinics/x/clinic.yaml": "group: g\n" + MINIMAL,
                            "groups/g.yaml": "cookies:\n  honors_gpc: maybe\n"})
    result = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "groups/g.yaml:2:3: cookies.honors_gpc: must be true or false" in result.output
