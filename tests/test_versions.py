"""Publishing, immutability, tamper detection, scheduling and the archive."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from generator.publishing.versions import in_force, load_versions
from tests.conftest import MINIMAL, tree_bytes

D1, D2, D3 = "2026-01-10", "2026-03-01", "2026-06-01"


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


def publish(project, notice, as_of, *extra, effective=None):
    args = ["publish", "t", notice, "--summary", "A change.", "--approved-by", "Pat Lee", "--as-of", as_of,
            "--allow-findings", "test clinic with known gaps", *extra]
    if effective:
        args += ["--effective", effective]
    return cli(project, *args)


@pytest.fixture
def project(make_project):
    return make_project({"clinics/t/clinic.yaml": MINIMAL})


def edit(project, extra: str):
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + extra)


def test_publish_freezes_content_and_record(project):
    assert publish(project, "privacy", D1, effective=D1).exit_code == 0
    folder = project.clinic_dir("t") / "versions" / "privacy"
    record = json.loads((folder / "v1.json").read_text())
    assert record["number"] == 1 and record["effective"] == D1 and record["published"] == D1
    assert record["approved_by"] == "Pat Lee" and record["kind"] == "material" and len(record["sha256"]) == 64
    assert "Test Clinic" in (folder / "v1.md").read_text()


def test_publishing_nothing_new_is_refused(project):
    publish(project, "privacy", D1, effective=D1)
    result = publish(project, "privacy", D2, effective=D2)
    assert result.exit_code == 1 and "nothing changed since version 1" in result.output


def test_material_change_cannot_take_effect_before_it_is_published(project):
    result = publish(project, "privacy", D2, effective=D1)
    assert result.exit_code == 1 and "before today" in result.output


def test_material_change_needs_an_effective_date(project):
    result = publish(project, "privacy", D1)
    assert result.exit_code == 1 and "needs --effective" in result.output


def test_technical_change_takes_effect_at_once(project):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    assert publish(project, "privacy", D2, "--technical", effective=D3).exit_code == 1
    assert publish(project, "privacy", D2, "--technical").exit_code == 0
    (v1, v2) = load_versions(project, "t", ["privacy"])["privacy"]
    assert v2.kind == "technical" and v2.effective == date.fromisoformat(D2)


def test_first_version_cannot_be_technical(project):
    result = publish(project, "privacy", D1, "--technical")
    assert result.exit_code == 1 and "first version" in result.output


def test_unknown_notice_is_refused(project):
    result = publish(project, "nope", D1, effective=D1)
    assert result.exit_code == 1 and "'nope' is not a kind of notice" in result.output


@pytest.mark.parametrize("tamper", ["content", "record", "missing-md", "gap"])
def test_any_alteration_of_a_published_version_stops_the_build(project, tamper):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    publish(project, "privacy", D2, effective=D2)
    folder = project.clinic_dir("t") / "versions" / "privacy"
    if tamper == "content":
        (folder / "v1.md").write_text((folder / "v1.md").read_text().replace("Test Clinic", "Other Clinic", 1))
    elif tamper == "record":
        (folder / "v1.json").write_text((folder / "v1.json").read_text().replace(D1, "2025-01-01"))
    elif tamper == "missing-md":
        (folder / "v1.md").unlink()
    else:
        (folder / "v1.json").unlink()
        (folder / "v1.md").unlink()
    result = cli(project, "build", "--as-of", D3)
    assert result.exit_code == 1
    assert "clinics/t/versions/privacy/v" in result.output
    assert not (project.site_dir / "t").exists()


def test_publish_never_overwrites(project, monkeypatch):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    # A stale v2 left behind (say, by a half-finished copy) must not be overwritten.
    folder = project.clinic_dir("t") / "versions" / "privacy"
    (folder / "v2.md").write_text("stray")
    result = publish(project, "privacy", D2, effective=D2)
    assert result.exit_code == 1
    assert (folder / "v2.md").read_text() == "stray"


def test_scheduled_version_becomes_current_on_its_date(project):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    publish(project, "privacy", D1, effective=D3)
    versions = load_versions(project, "t", ["privacy"])["privacy"]
    assert in_force(versions, date(2026, 5, 31)).number == 1
    assert in_force(versions, date(2026, 6, 1)).number == 2
    assert in_force(versions, date(2025, 12, 31)) is None

    build(project, as_of=date(2026, 5, 31))
    page = (project.site_dir / "t" / "privacy" / "index.html").read_text()
    assert "This notice changes on June 1, 2026." in page and "Version 1" in page
    assert "v2/changes/" in page

    build(project, as_of=date(2026, 6, 1))
    page = (project.site_dir / "t" / "privacy" / "index.html").read_text()
    assert "This notice changes on" not in page and "Version 2" in page
    archived = (project.site_dir / "t" / "privacy" / "v1" / "index.html").read_text()
    assert "It stopped being in effect on June 1, 2026." in archived


def test_archive_survives_template_and_data_changes_byte_for_byte(project):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    publish(project, "privacy", D2, effective=D2)
    build(project, as_of=date.fromisoformat(D3))
    archive = {p: b for p, b in tree_bytes(project.site_dir / "t").items() if "/v1/" in "/" + p or "/v2/" in "/" + p}
    assert archive

    template = project.templates_dir / "privacy-us.md.j2"
    template.write_text("A brand new opening sentence.\n\n" + template.read_text())
    edit(project, "service_providers:\n  - {name: Acme Pay, role: payment_processing}\n")
    build(project, as_of=date.fromisoformat(D3))

    after = tree_bytes(project.site_dir / "t")
    assert {p: after[p] for p in archive} == archive
    assert "A brand new opening sentence." not in after["privacy/index.html"].decode()
    status = cli(project, "status")
    assert "t privacy: v2 in force since 2026-03-01; unpublished changes" in status.output
    diff = cli(project, "diff", "t", "privacy")
    assert "A brand new opening sentence." in diff.output and "Acme Pay" in diff.output


def test_versions_json_and_history_pages(project):
    publish(project, "privacy", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    publish(project, "privacy", D2, "--technical")
    build(project, as_of=date.fromisoformat(D3))
    data = json.loads((project.site_dir / "t" / "versions.json").read_text())
    privacy = next(n for n in data["notices"] if n["notice"] == "privacy")
    assert privacy["current"] == 2
    assert [(v["number"], v["kind"], v["effective"], v["in_force_until"], v["url"]) for v in privacy["versions"]] == [
        (1, "material", D1, D2, "privacy/v1/"), (2, "technical", D2, None, "privacy/v2/")]
    for v in privacy["versions"]:
        assert (project.site_dir / "t" / v["url"] / "index.html").is_file()
        assert (project.site_dir / "t" / v["changes_url"] / "index.html").is_file()
    history = (project.site_dir / "t" / "privacy" / "versions" / "index.html").read_text()
    assert "Wording or layout fix" in history and "Change to what we do" in history
    in_force_page = (project.site_dir / "t" / "in-force" / "index.html").read_text()
    # One date style on every page: written out, never ISO.
    long = lambda d: date.fromisoformat(d).strftime("%B ") + str(date.fromisoformat(d).day) + date.fromisoformat(d).strftime(", %Y")  # noqa: E731
    assert long(D1) in in_force_page and long(D2) in in_force_page
    assert D1 not in in_force_page.split("<article", 1)[1].split("</article>", 1)[0]


def test_in_force_command(project):
    publish(project, "privacy", D1, effective=D1)
    out = cli(project, "in-force", "t", "2026-02-01").output
    assert "t privacy on 2026-02-01: version 1, in effect from 2026-01-10" in out
    assert "t hipaa on 2026-02-01: no version in force" in out
    assert "cookies" not in out  # the test clinic lists no cookies: it has no cookie notice


def test_publish_refuses_error_findings_unless_allowed_and_records_the_reason(project):
    args = ["publish", "t", "hipaa", "--summary", "First.", "--approved-by", "Pat Lee", "--as-of", D1, "--effective", D1]
    refused = cli(project, *args)
    assert refused.exit_code == 1
    assert "NPP-15" in refused.output and "--allow-findings" in refused.output
    assert not (project.clinic_dir("t") / "versions").exists()
    allowed = cli(project, *args, "--allow-findings", "no privacy officer named yet")
    assert allowed.exit_code == 0, allowed.output
    (v1,) = load_versions(project, "t", ["hipaa"])["hipaa"]
    assert v1.allow_findings == "no privacy officer named yet"
