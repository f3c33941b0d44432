"""`notices new`, `notices serve` and group impact, end to end through the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import MINIMAL


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


def test_new_clinic_then_check_lists_what_remains(make_project):
    project = make_project({"groups/jane.yaml": "service_providers:\n  - {name: Jane App, role: scheduling}\n"})
    made = cli(project, "new", "fresh-clinic", "--group", "jane")
    assert made.exit_code == 0, made.output
    checked = cli(project, "check", "fresh-clinic")
    assert checked.exit_code == 1
    keys = {m.group(1) for m in re.finditer(r"clinics/fresh-clinic/clinic\.yaml:\d+:\d+: ([\w.]+):", checked.output)}
    assert keys == {"name", "practice", "jurisdiction.country", "jurisdiction.region"}
    assert cli(project, "new", "fresh-clinic").exit_code == 1  # never overwrites


def test_group_edit_shows_every_affected_clinic_in_status(make_project):
    group = "service_providers:\n  - {name: Jane App, role: scheduling}\n"
    project = make_project({"groups/g.yaml": group, "clinics/a/clinic.yaml": "group: g\n" + MINIMAL,
                            "clinics/b/clinic.yaml": "group: g\n" + MINIMAL, "clinics/c/clinic.yaml": MINIMAL})
    for slug in ("a", "b", "c"):
        assert cli(project, "publish", slug, "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
                   "--summary", "First.", "--approved-by", "Pat", "--allow-findings", "test").exit_code == 0
    before = cli(project, "status", "--as-of", "2026-01-10").output
    assert "unpublished changes" not in "".join(ln for ln in before.splitlines() if " privacy:" in ln)
    (project.root / "groups" / "g.yaml").write_text(group + "  - {name: Acme Pay, role: payment_processing}\n")
    after = {ln.split(":")[0] for ln in cli(project, "status", "--as-of", "2026-01-10").output.splitlines()
             if " privacy:" in ln and "unpublished changes" in ln}
    assert after == {"a privacy", "b privacy"}


def fetch(url: str) -> str:
    """The page, once the first build is served (the server answers 503 until then)."""
    deadline = time.time() + 60
    while True:
        try:
            return urllib.request.urlopen(url).read().decode()
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or time.time() > deadline:
                raise
            time.sleep(0.3)


def test_serve_previews_drafts_and_rebuilds_on_change(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               "--summary", "First.", "--approved-by", "Pat", "--allow-findings", "test").exit_code == 0
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "t", "--port", "0", "--root",
                             str(project.root), "--as-of", "2026-02-01"], stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.time() + 60
        while url is None and time.time() < deadline:
            line = proc.stderr.readline()
            m = re.search(r"serving on (http://\S+)", line)
            url = m.group(1) if m else None
        assert url, "the preview server did not start"
        page = fetch(f"{url.rstrip('/')}/privacy/")
        assert "Draft" not in page and "Test Clinic" in page
        path = project.clinic_dir("t") / "clinic.yaml"
        path.write_text(path.read_text() + "legal_name: Preview Test LLC\n")
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.5)
            page = fetch(f"{url.rstrip('/')}/privacy/")
            if "Preview Test LLC" in page:
                break
        assert "Preview Test LLC" in page and "Draft" in page
        assert not (project.site_dir / "t").exists()  # the preview never writes into site/
    finally:
        proc.terminate()
        proc.wait(timeout=10)
