"""A page of a site, as the rest of the pipeline hands it to the site builder (builder.py)."""

from __future__ import annotations

from typing import Callable


class Page:
    """A page of a site. `path`: its Markdown source path inside the site, like "privacy/index.md";
    `markdown`: its Markdown, or a function that writes it, called once, when first needed; `nav_title`:
    its title in the navigation, in order, when set; `key`: a digest of everything its Markdown is made
    from, where that is known (generator/notices/page_keys.py), so that a page kept from an earlier build
    is found without writing its Markdown."""

    __slots__ = ("path", "_markdown", "nav_title", "key")

    def __init__(self, path: str, markdown: "str | Callable[[], str]", nav_title: str | None = None,
                 key: str | None = None) -> None:
        self.path, self._markdown, self.nav_title, self.key = path, markdown, nav_title, key

    @property
    def markdown(self) -> str:
        if not isinstance(self._markdown, str):
            self._markdown = self._markdown()
        return self._markdown

    def __repr__(self) -> str:
        return f"Page({self.path!r}, nav_title={self.nav_title!r}, key={self.key!r})"
