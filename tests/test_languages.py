"""Notices in the clinic's languages: every language its own site, frozen in every version, never a
silent English fallback."""

from __future__ import annotations

import io
import json
from datetime import date

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from generator.notices import translations
from generator.notices.translations import mo_path, po_path
from generator.publishing.versions import load_versions
from tests.conftest import MINIMAL

BILINGUAL = MINIMAL + "languages: [en, es]\n"


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


def publish(project, notice="privacy", day="2026-01-10"):
    return cli(project, "publish", "t", notice, "--effective", day, "--as-of", day, "--summary", "First.",
               "--approved-by", "Pat", "--allow-findings", "test")


def test_each_language_is_its_own_site_with_a_switcher(make_project):
    project = make_project({"clinics/t/clinic.yaml": BILINGUAL})
    assert publish(project).exit_code == 0
    build(project, as_of=date(2026, 2, 1))
    site = project.site_dir / "t"
    en = BeautifulSoup((site / "privacy" / "index.html").read_text(), "html.parser")
    es = BeautifulSoup((site / "es" / "privacy" / "index.html").read_text(), "html.parser")
    assert en.html["lang"] == "en" and es.html["lang"] == "es"
    assert "Política de privacidad" in es.find("article").get_text() or "privacidad" in es.find("article").get_text().lower()
    link = es.find("a", hreflang="en")
    assert link is not None and (site / "es" / "privacy" / link["href"] / "index.html").resolve() == (site / "privacy" / "index.html").resolve()
    back = en.find("a", hreflang="es")
    assert (site / "privacy" / back["href"] / "index.html").resolve() == (site / "es" / "privacy" / "index.html").resolve()


def test_a_version_freezes_every_language_and_its_hash_covers_them(make_project):
    project = make_project({"clinics/t/clinic.yaml": BILINGUAL})
    assert publish(project).exit_code == 0
    folder = project.clinic_dir("t") / "versions" / "privacy"
    assert (folder / "v1.es.md").is_file()
    record = json.loads((folder / "v1.json").read_text())
    assert set(record["translations"]) == {"es"}
    (v1,) = load_versions(project, "t", ["privacy"])["privacy"]
    assert v1.text_in("es")[1] == (folder / "v1.es.md").read_text()
    (folder / "v1.es.md").write_text((folder / "v1.es.md").read_text() + "\nUn cambio.\n")
    result = cli(project, "build")
    assert result.exit_code == 1 and "v1.json" in result.output and "altered" in result.output


def test_a_language_added_later_shows_older_versions_as_first_language_only(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert publish(project).exit_code == 0
    (project.clinic_dir("t") / "clinic.yaml").write_text(BILINGUAL)
    assert "unpublished changes" in cli(project, "status", "--as-of", "2026-01-10").output
    build(project, as_of=date(2026, 2, 1))
    page = (project.site_dir / "t" / "es" / "privacy" / "v1" / "index.html").read_text()
    assert "Esta versión se publicó solo en inglés" in page


def test_a_listed_language_without_a_catalog_is_an_error_not_a_fallback(make_project):
    project = make_project({"clinics/t/clinic.yaml": BILINGUAL})
    po_path(project.templates_dir, "es").unlink()
    result = cli(project, "check")
    assert result.exit_code == 1
    assert ("clinics/t/clinic.yaml:7:1: languages: 'es' is listed, but there is no catalog for it "
            "(templates/locale/es/LC_MESSAGES/messages.po is missing)") in result.output
    assert cli(project, "build").exit_code == 1
    assert not project.site_dir.exists()


def test_a_sentence_missing_from_a_catalog_is_an_error_not_english(make_project):
    project = make_project({"clinics/t/clinic.yaml": BILINGUAL})
    po = po_path(project.templates_dir, "es")
    catalog = read_po(io.BytesIO(po.read_bytes()), locale="es")
    catalog.delete("Contact us")
    po.write_bytes(translations.po_bytes(catalog))
    mo_path(project.templates_dir, "es").write_bytes(translations.mo_bytes(catalog, po.read_bytes()))
    result = cli(project, "check")
    assert result.exit_code == 1
    assert ("languages: 'es' is listed, but templates/locale/es/LC_MESSAGES/messages.po: "
            "no translation for 'Contact us'") in result.output
    assert cli(project, "build").exit_code == 1
    assert not project.site_dir.exists()


def test_a_catalog_compiled_from_an_older_po_is_refused(make_project):
    project = make_project({"clinics/t/clinic.yaml": BILINGUAL})
    po = po_path(project.templates_dir, "es")
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Comuníquese con nosotros"', 'msgstr "Contacto"'),
                  encoding="utf-8")
    result = cli(project, "build")
    assert result.exit_code == 1
    assert ("templates/locale/es/LC_MESSAGES/messages.mo was not compiled from the current messages.po: "
            "run make translations") in result.output
    assert not project.site_dir.exists()


def test_diff_shows_a_change_in_another_language_that_status_reports(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert publish(project).exit_code == 0
    (project.clinic_dir("t") / "clinic.yaml").write_text(BILINGUAL)
    assert "t privacy: v1 in force since 2026-01-10; unpublished changes" in cli(project, "status", "--as-of", "2026-01-10").output
    out = cli(project, "diff", "t", "privacy", "--as-of", "2026-01-10").output
    assert "# t privacy: unpublished changes" in out and "# in 'es'" in out
