"""HTTP headers for publishing a built site: cache lifetimes and security headers (docs/publishing.md).

A privacy page should load nothing from anyone else, and say so to the browser: the Content-Security-
Policy allows only the site's own origin. Material for MkDocs writes two small inline scripts into every
page (one of them differs with the page's depth), so a bare `default-src 'self'` would block them and
break search and navigation; the policy allows exactly those scripts by their SHA-256 hashes, read from
the built site. Rebuild the policy when the Material version or the site's address changes.

Pure functions over a built folder; nothing is written here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"

# Material's bundles carry a content hash in their names (bundle.a5f9d56c.min.js, main.57a0d79d.min.css):
# a new version gets a new name, so they can be cached for good. Nothing else can: our brand.css and
# notices.css, the logo, and every page, including archived versions (their page shows "no longer in
# effect" and change banners, which change after publication, around the frozen text).
FINGERPRINTED = re.compile(r"(^|/)assets/(javascripts|stylesheets)/(.+/)?[^/]+\.[0-9a-f]{8}\.min\.(js|css)(\.map)?$")

SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def cache_control(path: str) -> str:
    """The Cache-Control value for a file of the site, by its path inside the site folder."""
    return LONG_CACHE if FINGERPRINTED.search(path.replace("\\", "/")) else SHORT_CACHE


def inline_script_hashes(site: Path, kind: str = "script") -> list[str]:
    """`'sha256-…'` of every distinct inline script (or, with kind="style", <style> block) in the site's
    HTML files, sorted. Styles are those of the printed version stamp (one per version) and of the
    feeds' XSLT page (feed.xsl, read too)."""
    found: set[str] = set()
    files = sorted(site.rglob("*.html")) + (sorted(site.rglob("feed.xsl")) if kind == "style" else [])
    for page in files:
        collector = _InlineScripts()
        collector.feed(page.read_text(encoding="utf-8"))
        collector.close()
        for script in (collector.scripts if kind == "script" else collector.styles):
            digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(site: Path) -> str:
    """Only the site's own origin; inline scripts only those of this build; no framing, no plugins.
    `data:` images are Material's inline icons (admonitions, lists)."""
    scripts = " ".join(["'self'", *inline_script_hashes(site)])
    styles = " ".join(["'self'", *inline_script_hashes(site, "style")])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        f"style-src {styles}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(site: Path) -> dict[str, str]:
    return {"Content-Security-Policy": content_security_policy(site), **SECURITY_HEADERS}


def netlify_headers_file(site: Path) -> str:
    """A Netlify `_headers` file for the site's folder with its Content-Security-Policy (the rest of the
    headers are static and live in netlify.toml: see docs/publishing.md)."""
    return ("# Generated from the built site: the policy allows exactly this build's inline scripts.\n"
            f"/*\n  Content-Security-Policy: {content_security_policy(site)}\n")


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._current: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._current, self._tag = [], "style"
            return
        if tag != "script":
            return
        self._tag = "script"
        attributes = {k: (v or "") for k, v in attrs}
        if "src" not in attributes and attributes.get("type", "").lower() in _JS_TYPES:
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._tag and self._current is not None:
            (self.scripts if tag == "script" else self.styles).append("".join(self._current))
            self._current = None
