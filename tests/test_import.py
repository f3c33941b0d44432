"""`notices import`: the clinic's notice in force as its first version, in its own words, with its real date."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from generator.errors import DataErrors
from generator.publishing.importing import display_markdown, html_text
from generator.publishing.versions import load_versions
from tests.conftest import MINIMAL

# `import` takes the real today (only tests of `publish` may move it), so dates are relative to it.
TODAY = date.today()
EFFECTIVE = TODAY - timedelta(days=300)
BETWEEN = TODAY - timedelta(days=100)  # after the notice took effect, before it was imported

TEXT = "Our Privacy Notice\r\n\r\nWe keep your records *safe* for 7 years.\r\nCall <us> at (719) 555-0100.\r\n"

HOSTILE_HTML = """<!doctype html><html><head><title>Clinic</title><style>p { color: red }</style>
<script>alert("head")</script></head><body><nav><a href="/">Home</a> · <a href="/book">Book</a></nav>
<main><h1>Privacy Policy</h1><p>We collect <b>your name</b> &amp; email.<script>alert("body")</script><br>
Second line</p><h2>Your rights</h2><ul><li>See your <a href="/records">records</a></li><li>Correct them</li></ul>
<p>&lt;img src=x onerror=alert(1)&gt; [a link](javascript:alert(1)) {: onclick=x } !!! danger</p>
<p># not a heading</p><table><tr><th>Cookie</th><th>Purpose</th></tr><tr><td>_ga</td><td>analytics</td></tr></table>
</main><footer>© Clinic</footer></body></html>"""


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def project(make_project):
    # With a site_url: feeds and embeds are written only with one (their links are absolute).
    return make_project({"clinics/t/clinic.yaml": MINIMAL + "site_url: https://notices.example.org/t/\n"})


def import_file(project, path, notice="privacy", *extra, effective=EFFECTIVE):
    return cli(project, "import", "t", notice, str(path), "--effective", str(effective), "--approved-by", "Pat Lee",
               *extra)


def folder(project, notice="privacy"):
    return project.clinic_dir("t") / "versions" / notice


def make_pdf(path, paragraphs):
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_bytes(HTML(string=f"<html><body>{body}</body></html>").write_pdf())
    return path


def page_text(path) -> str:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


# --------------------------------------------------------------------------------------------------
# The record


def test_text_is_kept_verbatim_hash_locked_with_its_real_date_and_original(project, tmp_path):
    source = tmp_path / "notice.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    result = import_file(project, source)
    assert result.exit_code == 0, result.output
    assert "compliance check does not vouch" in result.output
    record = json.loads((folder(project) / "v1.json").read_text())
    # Line endings as every stored version has them; every other character as the clinic wrote it.
    assert (folder(project) / "v1.md").read_text(encoding="utf-8") == TEXT.replace("\r\n", "\n")
    assert (folder(project) / "v1.source.txt").read_bytes() == TEXT.encode("utf-8")
    assert record["effective"] == EFFECTIVE.isoformat() and record["published"] == TODAY.isoformat()
    assert record["number"] == 1 and record["kind"] == "material" and "previous" not in record
    assert record["source"] == {"origin": "imported", "format": "text", "name": "notice.txt", "file": "v1.source.txt",
                                "sha256": hashlib.sha256(TEXT.encode()).hexdigest(), "bytes": len(TEXT.encode())}
    (v1,) = load_versions(project, "t", ["privacy"])["privacy"]
    assert v1.imported and v1.digest() == record["sha256"] and v1.title == "Website Privacy Policy"


def test_html_keeps_the_readable_structure_and_drops_scripts_styles_and_menus(project, tmp_path):
    source = tmp_path / "policy.html"
    source.write_text(HOSTILE_HTML, encoding="utf-8")
    assert import_file(project, source).exit_code == 0
    text = (folder(project) / "v1.md").read_text(encoding="utf-8")
    assert text.startswith("# Privacy Policy\n\nWe collect your name & email.\nSecond line\n\n## Your rights\n\n"
                           "- See your records\n\n- Correct them\n\n")
    assert "\\# not a heading" in text and "Cookie | Purpose\n\n_ga | analytics" in text
    assert "alert(\"" not in text and "color" not in text and "Book" not in text and "©" not in text
    assert json.loads((folder(project) / "v1.json").read_text())["source"]["format"] == "html"


def test_pdf_text_is_extracted_and_the_pdf_kept(project, tmp_path):
    source = make_pdf(tmp_path / "Notice 2026.pdf", ["We protect your health information.",
                                                     "You may ask for a copy of your records."])
    result = import_file(project, source, "hipaa", "--title", "Notice of Privacy Practices")
    assert result.exit_code == 0, result.output
    text = (folder(project, "hipaa") / "v1.md").read_text(encoding="utf-8")
    assert "We protect your health information." in text and "You may ask for a copy of your records." in text
    assert (folder(project, "hipaa") / "v1.source.pdf").read_bytes() == source.read_bytes()
    record = json.loads((folder(project, "hipaa") / "v1.json").read_text())
    assert record["source"]["format"] == "pdf" and record["source"]["name"] == "Notice 2026.pdf"


# --------------------------------------------------------------------------------------------------
# Refusals: a message saying what is wrong and what to do, never a traceback, nothing written


def _binary(tmp_path):
    path = tmp_path / "notice.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return path


def _latin1(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes("Clinique privée: vos données".encode("latin-1"))
    return path


def _empty(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(" \n\n \n")
    return path


def _fake_pdf(tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_text("this is not a PDF")
    return path


def _scan(tmp_path):
    from weasyprint import HTML

    path = tmp_path / "scan.pdf"
    path.write_bytes(HTML(string='<div style="width:5cm;height:5cm;background:#333"></div>').write_pdf())
    return path


def _html_without_text(tmp_path):
    path = tmp_path / "notice.html"
    path.write_text("<html><body><script>document.write('hi')</script></body></html>")
    return path


def _text(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("Our notice.\n")
    return path


@pytest.mark.parametrize("case, make, args, message", [
    ("missing", lambda t: t / "nope.pdf", {}, "no such file"),
    ("folder", lambda t: t, {}, "is a folder"),
    ("binary", _binary, {}, "neither a PDF, an HTML page nor text"),
    ("latin-1", _latin1, {}, "is not UTF-8 text"),
    ("empty", _empty, {}, "is empty"),
    ("named pdf", _fake_pdf, {}, "is not a PDF"),
    ("scanned pdf", _scan, {}, "no text to extract"),
    ("html without text", _html_without_text, {}, "no text in it"),
    ("future", _text, {"effective": TODAY + timedelta(days=1)}, "is after today"),
    ("unknown notice", _text, {"notice": "nope"}, "'nope' is not a kind of notice"),
    ("canadian has no hipaa", _text, {"notice": "hipaa", "canadian": True}, "'hipaa' is for clinics in US only"),
    ("markup in the title", _text, {"title": "<b>Policy</b>"}, "--title"),
])
def test_refused_with_what_to_do_and_nothing_written(project, tmp_path, case, make, args, message):
    if args.get("canadian"):
        path = project.clinic_dir("t") / "clinic.yaml"
        path.write_text(path.read_text().replace("country: US, region: CO", "country: CA, region: ON"))
    extra = ["--title", args["title"]] if "title" in args else []
    result = import_file(project, make(tmp_path), args.get("notice", "privacy"), *extra,
                         effective=args.get("effective", EFFECTIVE))
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (project.clinic_dir("t") / "versions").exists()


def test_only_the_first_version_can_be_imported(project, tmp_path):
    assert import_file(project, _text(tmp_path)).exit_code == 0
    before = sorted(p.name for p in folder(project).iterdir())
    again = import_file(project, _text(tmp_path))
    assert again.exit_code == 1 and "only a notice's first version can be imported" in again.output
    assert sorted(p.name for p in folder(project).iterdir()) == before


def test_a_notice_published_already_cannot_be_imported(project, tmp_path):
    publish = cli(project, "publish", "t", "privacy", "--effective", TODAY.isoformat(), "--summary", "First.",
                  "--approved-by", "Pat", "--allow-findings", "test")
    assert publish.exit_code == 0, publish.output
    result = import_file(project, _text(tmp_path))
    assert result.exit_code == 1 and "already has 1 version" in result.output


def test_publish_still_refuses_a_past_date(project, tmp_path):
    assert import_file(project, _text(tmp_path)).exit_code == 0
    result = cli(project, "publish", "t", "privacy", "--effective", BETWEEN.isoformat(), "--summary", "Ours.",
                 "--approved-by", "Pat", "--allow-findings", "test")
    assert result.exit_code == 1 and "before today" in result.output
    # The option that moves "today" is for tests: it is not offered as a way to record the past.
    assert "--as-of" not in cli(project, "publish", "--help").output
    assert re.search(r"^\s+import\s+Record the clinic's notice in force", CliRunner().invoke(main, ["--help"]).output, re.M)


def test_import_needs_only_the_country_of_a_clinic_just_made(make_project, tmp_path):
    project = make_project()
    assert cli(project, "new", "t").exit_code == 0
    refused = import_file(project, _text(tmp_path))
    assert refused.exit_code == 1 and "jurisdiction.country is not set" in refused.output
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text().replace('  country: ""', "  country: US", 1))
    result = import_file(project, _text(tmp_path))
    assert result.exit_code == 0, result.output
    assert cli(project, "status", "t").exit_code == 1  # the rest of the data is still to be modelled


# --------------------------------------------------------------------------------------------------
# The site


def test_built_site_shows_it_as_the_clinics_own_text_escaped_in_history_in_force_and_versions_json(project, tmp_path):
    source = tmp_path / "policy.html"
    source.write_text(HOSTILE_HTML, encoding="utf-8")
    assert import_file(project, source).exit_code == 0
    build(project, as_of=TODAY)
    site = project.site_dir / "t"
    page = (site / "privacy" / "v1" / "index.html").read_text(encoding="utf-8")
    main_page = (site / "privacy" / "index.html").read_text(encoding="utf-8")
    for html in (page, main_page):
        soup = BeautifulSoup(html, "html.parser")
        article = soup.find("article")
        # The clinic's markup shows as its text, never as markup: no script, image, link or admonition of its own.
        assert not article.find_all(["script", "img"]) and not article.find_all(attrs={"onclick": True})
        assert not [a for a in article.find_all("a") if "javascript" in (a.get("href") or "")]
        text = article.get_text(" ")
        assert "<img src=x onerror=alert(1)>" in text and "[a link](javascript:alert(1))" in text
        assert "{: onclick=x } !!! danger" in text and "# not a heading" in text
        assert [h.get_text().strip("¶") for h in article.find_all(["h2", "h3"])][:2] == ["Privacy Policy", "Your rights"]
        assert [li.get_text() for li in article.find_all("li")][:2] == ["See your records", "Correct them"]
        assert "as Test Clinic published it" in text and "recorded here word for word" in text
    original = BeautifulSoup(page, "html.parser").find("a", string="The original file")["href"]
    assert (site / "privacy" / "v1" / original).read_bytes() == source.read_bytes()
    assert original.endswith(".html.txt")  # the clinic's page is never served as a page of this site

    history = page_text(site / "privacy" / "versions" / "index.html")
    assert f"{EFFECTIVE:%B} {EFFECTIVE.day}, {EFFECTIVE.year}" in history and "Still in effect" in history
    assert f"{EFFECTIVE:%B} {EFFECTIVE.day}, {EFFECTIVE.year}" in page_text(site / "in-force" / "index.html")
    data = json.loads((site / "versions.json").read_text())
    privacy = next(n for n in data["notices"] if n["notice"] == "privacy")
    (v1,) = privacy["versions"]
    assert privacy["current"] == 1 and v1["effective"] == EFFECTIVE.isoformat() and v1["published"] == TODAY.isoformat()
    assert v1["source"]["format"] == "html" and v1["source"]["url"] == "privacy/v1/privacy-v1-original.html.txt"
    assert v1["source"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    # Never announced: not in the feeds, no banner.
    assert "v1" not in (site / "feed.json").read_text() and "changes on" not in main_page
    out = cli(project, "in-force", "t", BETWEEN.isoformat()).output
    assert f"t privacy on {BETWEEN}: version 1, in effect from {EFFECTIVE}" in out


def test_pdf_import_says_the_text_was_extracted_and_offers_the_pdf(project, tmp_path):
    source = make_pdf(tmp_path / "notice.pdf", ["We protect your health information."])
    assert import_file(project, source).exit_code == 0
    build(project, as_of=TODAY)
    page = (project.site_dir / "t" / "privacy" / "v1" / "index.html").read_text(encoding="utf-8")
    assert "Its text was extracted from the clinic's PDF" in page_text(project.site_dir / "t" / "privacy" / "v1" / "index.html")
    href = BeautifulSoup(page, "html.parser").find("a", string="The original file")["href"]
    assert href == "privacy-v1-original.pdf"
    assert (project.site_dir / "t" / "privacy" / "v1" / href).read_bytes() == source.read_bytes()


def test_next_publish_is_a_material_change_with_a_working_what_changed_page(project, tmp_path):
    source = tmp_path / "notice.txt"
    source.write_text("We keep your records <safe>.\n\nCall us.\n", encoding="utf-8")
    assert import_file(project, source).exit_code == 0
    status = cli(project, "status", "t").output
    assert f"t privacy: v1 in force since {EFFECTIVE}; unpublished changes" in status
    later = TODAY + timedelta(days=30)
    published = cli(project, "publish", "t", "privacy", "--effective", later.isoformat(), "--summary", "Our new notice.",
                    "--approved-by", "Pat", "--allow-findings", "test clinic")
    assert published.exit_code == 0, published.output
    assert "version 2 (material)" in published.output
    (v1, v2) = load_versions(project, "t", ["privacy"])["privacy"]
    assert v2.material and not v2.imported and v2.previous == v1.digest()
    build(project, as_of=TODAY)
    site = project.site_dir / "t"
    changes = page_text(site / "privacy" / "v2" / "changes" / "index.html")
    assert "Version 1 is the clinic's own notice" in changes
    assert "We keep your records <safe>." in changes and "Section removed" in changes and "New section" in changes
    assert not BeautifulSoup((site / "privacy" / "v2" / "changes" / "index.html").read_text(), "html.parser").find("safe")
    # The generated version is announced as usual (the imported one never is).
    main_page = page_text(site / "privacy" / "index.html")
    assert "This notice changes on" in main_page
    entries = json.loads((site / "feed.json").read_text())["items"]
    assert [e["id"].rsplit("/", 1)[-1] for e in entries if "/privacy/" in e["id"]] == ["v2"]


# --------------------------------------------------------------------------------------------------
# Hash-locked like every version


@pytest.mark.parametrize("tamper", ["text", "record", "original", "original gone", "stray original"])
def test_any_alteration_stops_the_build(project, tmp_path, tamper):
    source = make_pdf(tmp_path / "notice.pdf", ["We protect your health information."])
    assert import_file(project, source).exit_code == 0
    f = folder(project)
    if tamper == "text":
        (f / "v1.md").write_text((f / "v1.md").read_text().replace("protect", "sell"))
    elif tamper == "record":
        (f / "v1.json").write_text((f / "v1.json").read_text().replace(EFFECTIVE.isoformat(), "2020-01-01"))
    elif tamper == "original":
        data = bytearray((f / "v1.source.pdf").read_bytes())
        data[-10] ^= 1
        (f / "v1.source.pdf").write_bytes(bytes(data))
    elif tamper == "original gone":
        (f / "v1.source.pdf").unlink()
    else:
        (f / "v2.source.pdf").write_bytes(source.read_bytes())
    with pytest.raises(DataErrors) as caught:
        build(project, as_of=TODAY)
    assert "clinics/t/versions/privacy/v" in str(caught.value)
    assert not (project.site_dir / "t").exists()
    assert cli(project, "verify", "--no-git").exit_code == 1


# --------------------------------------------------------------------------------------------------
# The compliance check does not vouch for it


def test_check_says_the_imported_text_is_not_checked_and_does_not_fault_its_date(project, tmp_path):
    assert import_file(project, _text(tmp_path), "hipaa").exit_code == 0
    out = cli(project, "check", "t").output
    assert "note    hipaa: version 1, in force, is the clinic's own text (imported): not checked" in out
    assert "before it was published" not in out
    data = json.loads(cli(project, "check", "t", "--format", "json").output)
    assert any("hipaa: version 1" in n for n in data[0]["notes"])


# --------------------------------------------------------------------------------------------------
# Escaping, unit by unit


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "**bold** _it_ `code`", "[x](javascript:y)",
                                  "{: #id onclick=x }", "!!! danger \"t\"", "1. one", "- item", "| a | b |",
                                  "<!-- part -->", "&amp; &lt;", "a\\*b", "===", "# h"])
def test_any_line_shows_literally(text):
    import markdown

    rendered = markdown.markdown(display_markdown(text + "\n", "text"),
                                 extensions=["toc", "tables", "attr_list", "md_in_html", "admonition"])
    soup = BeautifulSoup(rendered, "html.parser")
    assert [t.name for t in soup.find_all(True)] == ["p"] and soup.p.get_text() == text


def test_an_html_paragraph_that_looks_like_a_heading_stays_a_paragraph():
    stored = html_text("<p># one</p><p>- two</p><p>\\three</p><h3>Four</h3><li>five</li>", "x.html")
    assert stored == "\\# one\n\n\\- two\n\n\\\\three\n\n### Four\n\n- five\n"
    shown = display_markdown(stored, "html")
    assert shown == "\\# one\n\n\\- two\n\n\\\\three\n\n## Four\n\n- five\n"


def test_diff_shows_the_imported_text_removed_and_the_generated_one_added(project, tmp_path):
    source = tmp_path / "notice.txt"
    source.write_text("We keep your records safe.\n", encoding="utf-8")
    assert import_file(project, source).exit_code == 0
    out = cli(project, "diff", "t", "privacy").output
    assert "Section: (opening)  [removed]\n  - We keep your records safe." in out
    assert re.search(r"^Section: At a glance.*\[added\]$", out, re.M) and "[-We-]" not in out
