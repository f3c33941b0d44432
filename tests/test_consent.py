"""The consent manager's files: what the data and the law put in them, escaped, the same bytes every time."""

from __future__ import annotations

import json
import re
from datetime import date

from generator.announcing.consent import COOKIE_NAME, consent_files, gpc_categories, opt_in, revision
from generator.data.load import load_clinics
from generator.site.prepare import prepare
from tests.conftest import MINIMAL, REPO
from tests.consent_site import CLINIC

AS_OF = date(2026, 11, 22)


def files(project, slug="t"):
    p = prepare(project, [slug], AS_OF)[0]
    return p, consent_files(project, p, AS_OF)


def config(js: bytes) -> dict:
    match = re.search(rb"^var CLINIC_NOTICES_CONSENT = (.*);$", js, re.M)
    return json.loads(match.group(1))


def test_the_files_carry_the_library_unchanged_its_licence_and_the_clinics_categories(make_project):
    project = make_project({"clinics/t/clinic.yaml": CLINIC})
    _, out = files(project)
    assert sorted(out) == ["embed/consent.css", "embed/consent.html", "embed/consent.js"]
    vendor = REPO / "templates/assets/vendor/cookieconsent"
    js = out["embed/consent.js"]
    assert vendor.joinpath("cookieconsent.umd.js").read_bytes().rstrip() in js
    assert b"Permission is hereby granted" in js and b"vanilla-cookieconsent 3.1.0" in js
    assert out["embed/consent.css"].startswith(vendor.joinpath("cookieconsent.css").read_bytes().rstrip())
    c = config(js)
    assert [x["id"] for x in c["categories"]] == ["strictly_necessary", "preferences", "analytics", "marketing"]
    assert [x["readOnly"] for x in c["categories"]] == [True, False, False, False]
    assert c["mode"] == "opt-in" and c["gpcOff"] == ["marketing"] and c["cookieName"] == COOKIE_NAME
    assert sorted(c["translations"]) == ["en", "es"]
    assert c["categories"][1]["storage"] == ["prefs_key"]


def test_clinic_text_is_escaped_and_cannot_end_the_script(make_project):
    project = make_project({"clinics/t/clinic.yaml": CLINIC.replace("name: Test Clinic\n", "name: \"Test </script><b>\"\n", 1)})
    _, out = files(project)
    js = out["embed/consent.js"].decode()
    line = next(x for x in js.splitlines() if x.startswith("var CLINIC_NOTICES_CONSENT"))
    assert "</" not in line and "<b>&</b>" not in line and "</script" not in js.lower()
    table = config(out["embed/consent.js"])["translations"]["en"]["preferencesModal"]["sections"][-1]["cookieTable"]
    assert table["body"][0]["provider"] == "Ads &lt;b&gt;&amp;&lt;/b&gt; Co"
    head = js[:js.index("*/")]
    assert "Test &lt;/script&gt;&lt;b&gt;" in head


def test_every_language_has_its_own_words_and_its_own_cookie_notice(make_project):
    project = make_project({"clinics/t/clinic.yaml": CLINIC + "site_url: https://notices.example.org/t/\n"})
    _, out = files(project)
    c = config(out["embed/consent.js"])
    assert c["notice"] == {"en": "https://notices.example.org/t/cookies/", "es": "https://notices.example.org/t/es/cookies/"}
    en, es = c["translations"]["en"], c["translations"]["es"]
    assert en["consentModal"]["title"] == "Cookies on our website"
    assert es["consentModal"]["title"] == "Cookies en nuestro sitio web"
    assert es["preferencesModal"]["sections"][1]["cookieTable"]["headers"]["name"] == "Nombre"
    assert c["words"]["es"]["gpcTitle"] != c["words"]["en"]["gpcTitle"]
    html = out["embed/consent.html"].decode()
    assert '<script defer src="https://notices.example.org/t/embed/consent.js"></script>' in html
    assert 'data-category="marketing"' in html and "Cookie settings" in html


def test_the_same_input_gives_the_same_bytes(make_project):
    project = make_project({"clinics/t/clinic.yaml": CLINIC})
    assert files(project)[1] == files(project)[1]


def test_no_cookie_list_no_consent_manager(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert files(project)[1] == {}


def test_the_law_and_the_data_decide_the_mode(make_project):
    project = make_project({
        "clinics/qc/clinic.yaml": CLINIC.replace("country: US, region: CA", "country: CA, region: QC")
        .replace("regimes: {ccpa: true, caloppa: true}\n", "") + "  consent_by_using_site: true\n",
        "clinics/implied/clinic.yaml": CLINIC + "  consent_by_using_site: true\n",
        "clinics/plain/clinic.yaml": CLINIC,
    })
    clinics = {c.slug: c.clinic for c in load_clinics(project, None)}
    assert opt_in(clinics["qc"]) and opt_in(clinics["plain"]) and not opt_in(clinics["implied"])
    c = config(files(project, "implied")[1]["embed/consent.js"])
    assert c["mode"] == "opt-out" and [x["enabled"] for x in c["categories"]] == [True] * 4
    assert gpc_categories(clinics["plain"]) == ["marketing"]
    words = config(files(project, "qc")[1]["embed/consent.js"])["words"]["en"]
    assert words["gpcTitle"] == "Global Privacy Control"  # "Opt-Out Request Honored" is the CCPA's wording


def test_the_revision_is_the_latest_material_version_in_force(make_project):
    from generator.publishing.versions import load_versions

    project = make_project({}, examples=True)
    versions = load_versions(project, "harbourview-family-clinic", ["cookies"])["cookies"]
    kinds = [(v.number, v.kind, v.effective) for v in versions]
    assert kinds[1][1] == "technical"  # v2 only added Spanish
    assert revision(versions, date(2026, 11, 22)) == 1
    assert revision(versions, date(2000, 1, 1)) == 0


def test_the_vendored_library_is_an_input_of_every_site_that_ships_it(make_project):
    from generator.site.build import build
    from generator.site.manifest import load_manifest

    project = make_project({"clinics/t/clinic.yaml": CLINIC, "clinics/none/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF, incremental=True, workers=1)
    inputs = set(load_manifest(project)[0].inputs("t"))
    assert {f"templates/assets/vendor/cookieconsent/{n}" for n in ("cookieconsent.umd.js", "cookieconsent.css",
                                                                     "LICENSE", "VERSION")} <= inputs
    assert "templates/partials/consent-words.md.j2" in inputs
    library = project.templates_dir / "assets/vendor/cookieconsent/cookieconsent.umd.js"
    library.write_text(library.read_text() + "\n// a new release\n")
    rebuilt = [b.slug for b in build(project, as_of=AS_OF, incremental=True, workers=1)]
    assert sorted(rebuilt) == ["none", "t"]  # a shared input: every site
    assert b"// a new release" in (project.site_dir / "t/embed/consent.js").read_bytes()
