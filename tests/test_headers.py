"""Publishing headers: cache lifetimes by file, and a Content-Security-Policy the built site really obeys."""

from __future__ import annotations

import functools
import http.server
import threading
from datetime import date
from pathlib import Path

import pytest

from generator.site.build import build
from generator.site.headers import LONG_CACHE, SHORT_CACHE, cache_control, content_security_policy, inline_script_hashes, netlify_headers_file, security_headers
from scripts.headers import main as headers_main
from tests.browser import CHROMIUM, chromium
from tests.conftest import MINIMAL

AS_OF = date(2026, 11, 22)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    import shutil

    from generator.data.load import Project
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("headers")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "clinics" / "t").mkdir(parents=True)
    (root / "clinics" / "t" / "clinic.yaml").write_text(
        MINIMAL + "site_url: https://notices.example.org/t/\n", encoding="utf-8")
    project = Project(root)
    build(project, as_of=AS_OF)
    return project.site_dir / "t"


@pytest.mark.parametrize(("path", "expected"), [
    ("assets/javascripts/bundle.a5f9d56c.min.js", LONG_CACHE),
    ("assets/javascripts/bundle.a5f9d56c.min.js.map", LONG_CACHE),
    ("assets/javascripts/workers/search.a7633da7.min.js", LONG_CACHE),
    ("assets/stylesheets/main.57a0d79d.min.css", LONG_CACHE),
    ("assets/stylesheets/palette.fb2fffe2.min.css", LONG_CACHE),
    ("assets/brand.css", SHORT_CACHE),           # ours: not fingerprinted
    ("assets/notices.css", SHORT_CACHE),
    ("assets/logo.svg", SHORT_CACHE),
    ("assets/images/favicon.png", SHORT_CACHE),
    ("assets/javascripts/lunr/min/lunr.stemmer.support.min.js", SHORT_CACHE),
    ("index.html", SHORT_CACHE),
    ("privacy/index.html", SHORT_CACHE),
    ("privacy/v1/index.html", SHORT_CACHE),      # its banners change after publication
    ("versions.json", SHORT_CACHE),
    ("feed.xml", SHORT_CACHE),
    ("search/search_index.json", SHORT_CACHE),
])
def test_cache_control_by_file(path, expected):
    assert cache_control(path) == expected


def test_every_fingerprinted_file_of_a_real_build_is_recognised(built_site):
    files = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()]
    long = sorted(f for f in files if cache_control(f) == LONG_CACHE)
    assert any(f.startswith("assets/javascripts/bundle.") for f in long)
    assert any(f.startswith("assets/stylesheets/main.") for f in long)
    assert all(not f.endswith(".html") and not f.startswith("assets/brand") for f in long)


def test_policy_lists_the_inline_scripts_of_the_build(built_site):
    hashes = inline_script_hashes(built_site)
    assert hashes and all(h.startswith("'sha256-") and h.endswith("='") for h in hashes)
    policy = content_security_policy(built_site)
    assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-")
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    headers = security_headers(built_site)
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Content-Type-Options"] == "nosniff"
    assert netlify_headers_file(built_site).splitlines()[1:] == ["/*", f"  Content-Security-Policy: {policy}"]


def test_script_prints_the_policy(built_site, capsys):
    assert headers_main([str(built_site)]) == 0
    assert capsys.readouterr().out.strip() == content_security_policy(built_site)
    assert headers_main([str(built_site.parent / "nowhere")]) == 1


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_the_site_works_under_its_policy(built_site):
    sent = security_headers(built_site)

    class WithHeaders(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            for name, value in sent.items():
                self.send_header(name, value)
            super().end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(WithHeaders, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html"))
    try:
        with chromium() as browser:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            for rel in pages:
                page.goto(base + rel, wait_until="networkidle")
                assert page.evaluate("typeof __md_get") == "function", rel  # Material's inline script ran
            assert violations == []
    finally:
        server.shutdown()
        server.server_close()
