"""Files a clinic's folder holds reach the site only checked: no link out of the folder (logo,
subscribers, versions), an SVG logo cleaned to an allow-list or refused, a raster logo that is what its
name says, and no logo over the size limit."""

from __future__ import annotations

import os
import shutil
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import DataErrors
from generator.data.load import load_clinics
from tests.conftest import MINIMAL, tree_bytes

SVG_NS = "http://www.w3.org/2000/svg"
LOGO = MINIMAL + "branding: {logo: logo.svg}\n"  # branding.logo is on line 7, column 12
PNG = b"\x89PNG\r\n\x1a\n" + bytes.fromhex(
    "0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a1e8c2f30000000049454e44ae426082")
SECRET = "SECRET-OUTSIDE-THE-FOLDER"
MAX_BYTES = 1_000_000  # the logo's size limit, as docs/data-model.md states it


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def problems_of(project) -> list[str]:
    with pytest.raises(DataErrors) as caught:
        load_clinics(project, ["t"])
    return [str(p) for p in caught.value.problems]


def build_refused(project, expected: str) -> str:
    """`notices build` exits 1 with the message, writes no site and keeps the one that was there."""
    before = tree_bytes(project.site_dir) if project.site_dir.exists() else {}
    result = cli(project, "build", "--no-pdf")
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "nothing was written" in result.output
    assert (tree_bytes(project.site_dir) if project.site_dir.exists() else {}) == before
    return result.output


# --------------------------------------------------------------------------------------------------
# Links out of the clinic's folder


def test_a_logo_linked_out_of_the_folder_is_refused_and_not_published(make_project, tmp_path):
    outside = tmp_path / "elsewhere" / "secret.svg"
    outside.parent.mkdir()
    outside.write_text(f'<svg xmlns="{SVG_NS}"><title>{SECRET}</title></svg>')
    project = make_project({"clinics/t/clinic.yaml": LOGO})
    os.symlink(outside, project.clinic_dir("t") / "logo.svg")
    output = build_refused(project, "clinics/t/clinic.yaml:7:12: branding.logo: clinics/t/logo.svg is a link to "
                                    f"{outside}, outside the clinic's folder")
    assert SECRET not in output
    assert not (project.site_dir / "t").exists()


def test_a_link_to_etc_passwd_named_like_a_logo_is_refused(make_project):
    project = make_project({"clinics/t/clinic.yaml": LOGO})
    os.symlink("/etc/passwd", project.clinic_dir("t") / "logo.svg")
    assert problems_of(project) == ["clinics/t/clinic.yaml:7:12: branding.logo: clinics/t/logo.svg is a link to "
                                    "/etc/passwd, outside the clinic's folder (put the logo file itself in the "
                                    "clinic's folder)"]


def test_a_folder_linked_out_is_refused_too(make_project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "logo.svg").write_text(f'<svg xmlns="{SVG_NS}"/>')
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {logo: art/logo.svg}\n"})
    os.symlink(elsewhere, project.clinic_dir("t") / "art")
    [problem] = problems_of(project)
    assert "branding.logo: clinics/t/art/logo.svg is a link to" in problem and "outside the clinic's folder" in problem


def test_a_link_that_stays_inside_the_folder_is_followed(make_project):
    project = make_project({"clinics/t/clinic.yaml": LOGO,
                            "clinics/t/art/brand.svg": f'<svg xmlns="{SVG_NS}" width="4" height="4"/>'})
    os.symlink("art/brand.svg", project.clinic_dir("t") / "logo.svg")
    [loaded] = load_clinics(project, ["t"])
    assert loaded.clinic.branding.logo == "logo.svg"


def test_a_logo_that_is_a_fifo_is_refused_without_waiting(make_project):
    project = make_project({"clinics/t/clinic.yaml": LOGO})
    os.mkfifo(project.clinic_dir("t") / "logo.svg")
    # Its own process, with a time limit: a read of a FIFO would wait for ever.
    done = subprocess.run([sys.executable, "-m", "generator.cli", "check", "t", "--root", str(project.root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "clinics/t/clinic.yaml:7:12: branding.logo:" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_subscribers_file_linked_out_of_the_folder_is_refused(make_project, tmp_path):
    outside = tmp_path / "other-clinic-list.csv"
    outside.write_text("email\nleak@example.com\n")
    clinic = MINIMAL + ("site_url: https://notices.example.org/t/\n"
                        "notifications: {sender: privacy@example.com, subscribers: subscribers.csv}\n")
    project = make_project({"clinics/t/clinic.yaml": clinic})
    os.symlink(outside, project.clinic_dir("t") / "subscribers.csv")
    common = ["--summary", "A change.", "--approved-by", "Pat", "--allow-findings", "test"]
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               *common).exit_code == 0
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: Test Clinic LLC\n")
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-03-01", "--as-of", "2026-02-01",
               *common).exit_code == 0

    result = cli(project, "notify", "t", "--as-of", "2026-02-02")
    assert result.exit_code == 1
    assert ("clinics/t/clinic.yaml:8:46: notifications.subscribers: clinics/t/subscribers.csv is a link to "
            f"{outside}, outside the clinic's folder") in result.output, result.output
    assert "leak@example.com" not in result.output
    assert not (project.root / "outbox").exists()
    assert not (project.clinic_dir("t") / "notify" / "sent.jsonl").exists()


def test_a_version_file_linked_out_of_the_folder_is_refused(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    common = ["--summary", "First.", "--approved-by", "Pat", "--allow-findings", "test"]
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               *common).exit_code == 0
    # The same text, kept elsewhere and linked in: its hash still matches, so only the link gives it away.
    content = project.clinic_dir("t") / "versions" / "privacy" / "v1.md"
    outside = tmp_path / "v1.md"
    outside.write_bytes(content.read_bytes())
    content.unlink()
    os.symlink(outside, content)
    build_refused(project, f"clinics/t/versions/privacy/v1.md: is a link to {outside}, outside the clinic's folder")
    assert not (project.site_dir / "t").exists()


def test_a_versions_folder_linked_out_or_holding_a_fifo_is_refused(make_project, tmp_path):
    """The folder is checked once and then only what in it is not a plain file or folder
    (publishing/versions.py `_outside_all`): both ways out are still refused."""
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    common = ["--summary", "First.", "--approved-by", "Pat", "--allow-findings", "test"]
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               *common).exit_code == 0
    folder = project.clinic_dir("t") / "versions" / "privacy"
    outside = tmp_path / "elsewhere"
    shutil.copytree(folder, outside)
    shutil.rmtree(folder)
    os.symlink(outside, folder)
    build_refused(project, f"clinics/t/versions/privacy: is a link to {outside}, outside the clinic's folder")
    os.unlink(folder)
    shutil.copytree(outside, folder)
    os.mkfifo(folder / "v1.md.fifo")
    build_refused(project, "clinics/t/versions/privacy/v1.md.fifo: is not a regular file")
    assert not (project.site_dir / "t").exists()


# --------------------------------------------------------------------------------------------------
# SVG: cleaned, or refused with its line


HOSTILE_SVG = {
    "script": ('<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(document.domain)</script>\n</svg>',
               "clinics/t/logo.svg:2:1: branding.logo: <script> is not allowed in a logo: it runs code"),
    "event-handler": ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                      "clinics/t/logo.svg:1:1: branding.logo: <svg onload=…>: event handlers are not allowed"),
    "handler-on-a-shape": ('<svg xmlns="http://www.w3.org/2000/svg">\n  <rect width="4" height="4" onclick="x()"/>\n'
                           '</svg>', "clinics/t/logo.svg:2:3: branding.logo: <rect onclick=…>"),
    "foreign-object": ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
                       "hi</div></foreignObject></svg>", "<foreignObject> is not allowed in a logo"),
    "html-script": ('<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">x()'
                    "</h:script></svg>", "<script> of HTML or MathML is not allowed in a logo"),
    "external-image": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                       '<image xlink:href="https://tracker.example/pixel.png"/></svg>',
                       "<image href='https://tracker.example/pixel.png'>: a logo may refer only to its own parts"),
    "external-use": ('<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#a"/></svg>',
                     "<use href='other.svg#a'>: a logo may refer only to its own parts"),
    "javascript-link": ('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
                        "<a> is not allowed in a logo"),
    "animation": ('<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:x()"/></svg>',
                  "<set> is not allowed in a logo"),
    "css-import": ('<svg xmlns="http://www.w3.org/2000/svg">\n<style>@import url(https://evil.example/x.css);</style>\n'
                   "</svg>", "clinics/t/logo.svg:2:1: branding.logo: <style>: '@import' is not allowed"),
    "css-external-url": ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://evil.example/p#x)"/>'
                         "</svg>", "url(https://evil.example/p#x) refers to something outside the logo"),
    "presentation-external-url": ('<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(//evil.example/p.svg#x)"/>'
                                  "</svg>", "url(//evil.example/p.svg#x) refers to something outside the logo"),
    "entities": ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
                 '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
                 "branding.logo: declares XML entities, which a logo may not"),
    "external-entity": ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
                        "branding.logo: declares XML entities, which a logo may not"),
    "not-svg": ('<html xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></html>',
                "branding.logo: is not an SVG picture (its first element is <html>"),
    "not-xml": ('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
                "clinics/t/logo.svg:1:49: branding.logo: is not valid SVG: mismatched tag"),
    "unknown-element": ('<svg xmlns="http://www.w3.org/2000/svg"><cursor/></svg>', "<cursor> is not allowed in a logo"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SVG))
def test_an_svg_logo_with_active_or_outside_content_is_refused_with_its_line(make_project, case):
    svg, expected = HOSTILE_SVG[case]
    project = make_project({"clinics/t/clinic.yaml": LOGO, "clinics/t/logo.svg": svg})
    found = problems_of(project)
    assert any(expected in p for p in found), found
    assert all(p.startswith(("clinics/t/logo.svg:", "clinics/t/clinic.yaml:7:12:")) for p in found), found


def test_a_hostile_svg_stops_the_build_and_nothing_is_published(make_project):
    project = make_project({"clinics/t/clinic.yaml": LOGO, "clinics/t/logo.svg": HOSTILE_SVG["script"][0]})
    build_refused(project, HOSTILE_SVG["script"][1] + " (remove it)")
    assert not (project.site_dir / "t").exists()


EDITOR_SVG = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generator: Adobe Illustrator 27.0 -->
<?xml-stylesheet href="https://fonts.example/brand.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     viewBox="0 0 40 20" width="40" height="20" data-name="Layer 1" inkscape:version="1.3">
  <sodipodi:namedview pagecolor="#ffffff"/>
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF></metadata>
  <defs>
    <style>.st0{fill:url(#grad)} .st1{font-family:"Open Sans", sans-serif}</style>
    <linearGradient id="grad"><stop offset="0" stop-color="#1b5e7a"/><stop offset="1" stop-color="#fff"/></linearGradient>
    <path id="mark" d="M0 0h10v10z"/>
  </defs>
  <title>Clinic &amp; Co &lt;logo&gt;</title>
  <rect class="st0" width="40" height="20" inkscape:label="background"/>
  <use xlink:href="#mark" x="2" y="2"/>
  <image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>
  <text class="st1" x="14" y="14" xml:space="preserve">Clinic &amp; Co</text>
</svg>
"""


def test_an_svg_logo_is_published_cleaned_of_what_editors_add(make_project):
    project = make_project({"clinics/t/clinic.yaml": LOGO, "clinics/t/logo.svg": EDITOR_SVG})
    result = cli(project, "build", "--no-pdf", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    site = project.site_dir / "t"
    published = (site / "assets" / "logo.svg").read_text(encoding="utf-8")
    for gone in ("inkscape", "sodipodi", "metadata", "rdf:", "data-name", "<!--", "<?xml", "DOCTYPE", "fonts.example"):
        assert gone not in published, gone
    root = ElementTree.fromstring(published)  # well-formed, and still the picture
    tags = [el.tag.split("}")[1] for el in root.iter()]
    assert tags == ["svg", "defs", "style", "linearGradient", "stop", "stop", "path", "title", "rect", "use",
                    "image", "text"]
    assert root.get("viewBox") == "0 0 40 20"
    assert root.find(f"{{{SVG_NS}}}use").get("{http://www.w3.org/1999/xlink}href") == "#mark"
    assert root.find(f"{{{SVG_NS}}}title").text == "Clinic & Co <logo>"
    assert root.find(f"{{{SVG_NS}}}text").get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    page = (site / "privacy" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/logo.svg"' in page
    assert re.search(r'<link rel="icon" href="../assets/logo.svg"', page)  # the favicon is the same, cleaned file


def test_a_clean_svg_logo_stays_the_same_picture(make_project):
    svg = f'<svg xmlns="{SVG_NS}" width="4" height="4"><circle cx="2" cy="2" r="2" fill="#7a1b5e"/></svg>'
    project = make_project({"clinics/t/clinic.yaml": LOGO, "clinics/t/logo.svg": svg})
    from generator.data.logo import checked_logo

    [loaded] = load_clinics(project, ["t"])
    logo, problems = checked_logo(project, "t", "logo.svg", loaded.locations)
    assert problems == [] and logo is not None
    assert logo.data.decode() == svg.replace("/>", "></circle>") + "\n"


# --------------------------------------------------------------------------------------------------
# Raster logos: their content, their size


@pytest.mark.parametrize("name, data, expected", [
    ("logo.png", f'<svg xmlns="{SVG_NS}" onload="alert(1)"/>'.encode(), "clinics/t/logo.png is named .png but is an SVG picture"),
    ("logo.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "clinics/t/logo.png is named .png but is a GIF picture"),
    ("logo.jpg", PNG, "clinics/t/logo.jpg is named .jpg but is a PNG picture (rename it to end in .png"),
    ("logo.webp", b"<html><script>alert(1)</script></html>", "clinics/t/logo.webp is named .webp but is not a picture"),
    ("logo.png", b"", "clinics/t/logo.png is empty"),
    ("logo.png", PNG + b"\0" * MAX_BYTES, "clinics/t/logo.png is larger than 1 MB"),
    ("logo.svg", PNG, "clinics/t/logo.svg is named .svg but is a PNG picture"),
])
def test_a_raster_logo_must_be_what_its_name_says_and_small(make_project, name, data, expected):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + f"branding: {{logo: {name}}}\n"})
    (project.clinic_dir("t") / name).write_bytes(data)
    [problem] = problems_of(project)
    assert problem.startswith("clinics/t/clinic.yaml:7:12: branding.logo: ") and expected in problem, problem


def test_a_png_logo_is_published_as_it_is(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {logo: logo.png}\n"})
    (project.clinic_dir("t") / "logo.png").write_bytes(PNG)
    assert cli(project, "build", "--no-pdf", "--as-of", "2026-03-01").exit_code == 0
    assert (project.site_dir / "t" / "assets" / "logo.png").read_bytes() == PNG


def test_a_logo_at_the_size_limit_is_accepted(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {logo: logo.png}\n"})
    (project.clinic_dir("t") / "logo.png").write_bytes(PNG + b"\0" * (MAX_BYTES - len(PNG)))
    assert load_clinics(project, ["t"])


def test_the_documented_limit_is_the_enforced_one():
    from generator.data import logo
    from tests.conftest import REPO

    assert logo.MAX_BYTES == MAX_BYTES
    assert "at most 1 MB** (1,000,000 bytes)" in (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")
