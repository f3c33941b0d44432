"""`notices scan` on a local clinic website: what it sets is compared with its cookie notice (CK-08)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from generator.data.load import load_clinics
from generator.checks.scan import ACCEPTED, BEFORE, findings, observe
from tests.browser import CHROMIUM, serve
from tests.consent_site import CLINIC, website

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")

AS_OF = date(2026, 11, 22)
NEVER_SET = "    - {name: never_set, provider: Test Clinic, purpose: analytics, duration: 1 day, party: first, category: analytics}\n"


class _Counting(http.server.SimpleHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_site():
    """Another origin on 127.0.0.1 (a tracker's), counting the requests it gets: the scan must send none."""
    handler = type("Handler", (_Counting,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler.hits
    finally:
        server.shutdown()
        server.server_close()


def make_site(make_project, tmp_path, other: str, clinic: str = CLINIC + NEVER_SET, extra: str = ""):
    project = make_project({"clinics/t/clinic.yaml": clinic})
    build(project, as_of=AS_OF, workers=1)
    folder = website(project.site_dir / "t", tmp_path / "www")
    about = folder / "about.html"
    about.write_text(about.read_text().replace("</main>", (
        '<script>document.cookie = "mystery=1; path=/; max-age=86400"; localStorage.setItem("undeclared_key", "1");</script>\n'
        f'<img alt="" src="http://{other}/px.gif?id=1">\n{extra}</main>')))
    return project, folder


def test_the_scan_finds_what_the_notice_leaves_out_and_what_it_lists_in_vain(make_project, tmp_path, other_site):
    other, hits = other_site
    project, folder = make_site(make_project, tmp_path, other)
    clinic = load_clinics(project, ["t"])[0].clinic
    with serve(folder) as base:
        obs = observe(f"{base}/index.html", pages=5, time_limit=60)
    assert obs.consent_manager and obs.pages[:2] == [f"{base}/index.html", f"{base}/about.html"]
    seen = {(s.kind, s.name, s.phase) for s in obs.seen}
    assert ("cookie", "an_id", ACCEPTED) in seen and ("cookie", "an_id", BEFORE) not in seen
    assert ("local_storage", "prefs_key", ACCEPTED) in seen and ("request", other, BEFORE) in seen
    assert hits == []  # recorded, and stopped before it left
    found = findings("t", clinic, obs)
    assert {f.rule for f in found} == {"CK-08"}
    messages = sorted((f.severity, f.message.split(": ", 1)[1]) for f in found)
    assert [m[0] for m in messages] == ["error", "error", "error", "warning"], messages
    text = " | ".join(m for _, m in messages)
    assert "the cookie mystery is set on" in text and "the local-storage key undeclared_key" in text
    assert f"the site asks {other}" in text and "never_set (Test Clinic) is declared and was never seen" in text
    fix = next(f.fix for f in found if "mystery" in f.message)
    assert "{name: mystery," in fix and "duration: 1 day" in fix and "party: first, type: cookie" in fix
    for quiet in ("site_session", "cc_cookie", "an_id", "ad_id", "prefs_key"):
        assert quiet not in text


def test_declared_hosts_cover_their_requests_and_a_tracker_before_consent_is_caught(make_project, tmp_path, other_site):
    other, _ = other_site
    clinic = CLINIC.replace("category: marketing}", f"category: marketing, hosts: [\"{other}\"]}}")
    project, folder = make_site(make_project, tmp_path, other, clinic,
                                extra='<script>document.cookie = "an_id=early; path=/";</script>')
    with serve(folder) as base:
        obs = observe(f"{base}/", pages=5, time_limit=60)
    found = findings("t", load_clinics(project, ["t"])[0].clinic, obs)
    text = " | ".join(f.message for f in found)
    assert f"the site asks {other}" not in text
    assert "the cookie an_id (analytics) is set on" in text and "before the visitor agrees" in text


def test_the_scan_is_bounded_by_pages_and_json_is_for_ci(make_project, tmp_path, other_site):
    other, _ = other_site
    project, folder = make_site(make_project, tmp_path, other)
    with serve(folder) as base:
        result = CliRunner().invoke(main, ["scan", "t", f"{base}/index.html", "--pages", "1", "--format", "json",
                                           "--root", str(project.root)])
    data = json.loads(result.output)
    assert data["pages"] == [f"{base}/index.html"]
    assert not [s for s in data["seen"] if s["name"] in ("mystery", "undeclared_key")]  # on the page not visited
    assert result.exit_code == 0, data["findings"]  # only warnings: never_set, and none undeclared
    assert {f["severity"] for f in data["findings"]} == {"warning"}


def test_a_bad_address_is_refused_with_a_message(make_project):
    project = make_project({"clinics/t/clinic.yaml": CLINIC})
    result = CliRunner().invoke(main, ["scan", "t", "file:///etc/passwd", "--root", str(project.root)])
    assert result.exit_code == 1 and "is not a web address" in result.output
