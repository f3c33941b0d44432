"""Every published version has a real PDF, linked from its page, with its stamp and extractable text."""

from __future__ import annotations

import io
from datetime import date

import pypdf
from bs4 import BeautifulSoup

from generator.site.build import build
from generator.publishing.versions import load_versions
from tests.test_versions import D1, edit, publish


def test_each_version_has_a_pdf_with_its_stamp_on_every_page(make_project):
    from tests.conftest import MINIMAL

    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "hipaa", D1, effective=D1)
    edit(project, "legal_name: Test Clinic LLC\n")
    publish(project, "hipaa", "2026-02-01", effective="2026-02-01")
    build(project, as_of=date(2026, 3, 1), pdfs=True)
    site = project.site_dir / "t"
    for v in load_versions(project, "t", ["hipaa"])["hipaa"]:
        path = site / "hipaa" / f"v{v.number}" / f"hipaa-v{v.number}.pdf"
        reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
        assert len(reader.pages) >= 2
        stamp = f"Version {v.number}"
        for page in reader.pages:
            assert stamp in page.extract_text()
        text = " ".join(p.extract_text() for p in reader.pages)
        assert "Notice of Privacy Practices" in text and "Test Clinic" in text
        page = BeautifulSoup((site / "hipaa" / f"v{v.number}" / "index.html").read_text(), "html.parser")
        assert page.find("a", href=f"hipaa-v{v.number}.pdf") is not None
    current = BeautifulSoup((site / "hipaa" / "index.html").read_text(), "html.parser")
    assert current.find("a", href="v2/hipaa-v2.pdf") is not None
    # Made once: a second build takes the cached file, byte for byte.
    first = (site / "hipaa" / "v1" / "hipaa-v1.pdf").read_bytes()
    build(project, as_of=date(2026, 3, 1), pdfs=True)
    assert (site / "hipaa" / "v1" / "hipaa-v1.pdf").read_bytes() == first
    assert len(list((project.root / ".cache" / "pdf").glob("*.pdf"))) == 2
