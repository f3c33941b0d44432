"""What the site builder gives the clinic's theme (templates/theme/): values for its header and footer,
the "On this page" title, and the <div lang> around a text in another language than its page's.
No MkDocs here: plain values for the config builder.py makes.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# Words the theme needs when a site is built without the clinic's own (a test's SiteSpec).
_DEFAULT_WORDS = {"menu": "Notices", "phone": "Phone:", "website": "Website", "follow": "Follow:"}


def theme_values(name: str, chrome: dict[str, Any], pages: Iterable[Any]) -> dict[str, Any]:
    """config.extra.notices_site: the clinic's header and footer values, and the menu, which lists the
    pages with a navigation title by their address from the site's root."""
    menu = [{"title": p.nav_title, "path": p.path.removesuffix("index.md")} for p in pages if p.nav_title]
    return {"clinic": name, "website": None, "phone": None, "tel": None, "address": None, "feeds": [],
            **chrome, "words": {**_DEFAULT_WORDS, **chrome.get("words", {})}, "menu": menu}


def extensions(extensions: list, toc_title: str | None, permalink_title: str | None = None) -> list:
    """mkdocs.yml's Markdown extensions, with the "On this page" title and the headings' anchor title in
    the site's language."""
    if toc_title is None and permalink_title is None:
        return extensions
    words = {key: value for key, value in (("title", toc_title), ("permalink_title", permalink_title)) if value}
    out = []
    for ext in extensions:
        if ext == "toc" or (isinstance(ext, dict) and "toc" in ext):
            options = dict(ext["toc"] or {}) if isinstance(ext, dict) else {}
            ext = {"toc": {**options, **words}}
        out.append(ext)
    return out


_LANG = re.compile(r"<!-- lang:([a-z]{2,3}) -->|<!-- /lang -->")


def lang_divs(html_text: str) -> str:
    """Text marked as another language than the page's (generator/notices/pages.py LANG_START) → <div lang>."""
    return _LANG.sub(lambda m: f'<div lang="{m.group(1)}">' if m.group(1) else "</div>", html_text)
