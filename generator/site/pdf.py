"""A PDF of each published version: the frozen text, its version stamp on every page, real text inside.

WeasyPrint lays out HTML with print CSS, so the stamp is a running footer on every page. A version's
PDF depends only on its immutable record and the print stylesheet, so it is cached by their hash and
made once, however many builds follow.
"""

from __future__ import annotations

import hashlib
import html
import os
from pathlib import Path

import markdown

from ..publishing.versions import Version
from .linking import KeptBytes, own_folder, read_kept

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]


def _css(stamp: str, clinic_name: str = "") -> str:
    # The footer is the stamp without the clinic's name (it heads the first page): so it fits on one line.
    # It goes into a CSS string: escape backslashes and quotes so it stays one string.
    footer = stamp.removeprefix(f"{clinic_name} · ") if clinic_name else stamp
    quoted = footer.replace("\\", "\\\\").replace('"', '\\"')
    return f"""
@page {{ size: Letter; margin: 2cm 2cm 2.4cm; font-family: "DejaVu Sans", sans-serif;
  @bottom-left {{ content: "{quoted}"; font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #444;
    width: 80%; }}
  @bottom-right {{ content: counter(page) "\\a0/\\a0" counter(pages); font-family: "DejaVu Sans", sans-serif;
    font-size: 8pt; color: #444; white-space: nowrap; width: 15%; }} }}
h2, h3, h4 {{ break-after: avoid; }} p, li {{ orphans: 3; widows: 3; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }}
h1 {{ font-size: 18pt; margin: 0 0 .3em; }} h2 {{ font-size: 13pt; margin-top: 1.2em; }} h3 {{ font-size: 11pt; }}
table {{ border-collapse: collapse; font-size: 8.5pt; }} td, th {{ border: 1px solid #999; padding: 2pt 4pt; }}
.stamp {{ color: #444; font-size: 9pt; }} a {{ color: #111; }} .headerlink {{ display: none; }}
"""


def render_pdf(clinic_name: str, version: Version, stamp: str) -> bytes:
    from weasyprint import HTML  # imported here: only builds that make PDFs pay for it

    body = markdown.markdown(version.markdown, extensions=EXTENSIONS)
    document = (f'<!doctype html><html lang="{html.escape(version.lang)}"><head><meta charset="utf-8">'
                f"<title>{html.escape(version.title)} — {html.escape(clinic_name)}</title>"
                f"<style>{_css(stamp, clinic_name)}</style></head><body>"
                f"<h1>{html.escape(version.title)}</h1><p>{html.escape(clinic_name)}</p>"
                f'<p class="stamp">{html.escape(stamp)}</p>{body}</body></html>')
    return HTML(string=document).write_pdf(metadata=None, pdf_identifier=hashlib.sha256(document.encode()).digest()[:16])


def cached_pdf(cache_dir: Path, clinic_name: str, version: Version, stamp: str) -> bytes:
    key = hashlib.sha256("\n".join((version.digest(), clinic_name, stamp, _css(stamp, clinic_name))).encode()).hexdigest()
    path = cache_dir / "pdf" / f"{key}.pdf"
    own = own_folder(path.parent)
    if own:
        try:
            return KeptBytes(read_kept(path), path)  # linked into the site (generator/site/linking.py)
        except OSError:
            pass  # not made yet
    data = render_pdf(clinic_name, version, stamp)
    if not own:
        return data  # a cache that cannot be used is only slower
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # one per process: workers may make the same PDF at once
    tmp.unlink(missing_ok=True)
    tmp.write_bytes(data)
    tmp.replace(path)
    return KeptBytes(data, path)
