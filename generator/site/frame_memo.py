"""Blocks of the page frame that come out the same on every page of a site at one depth, rendered once.

Material renders its whole frame for every page. Some blocks of it read nothing of the page but where
it is: the `__config` script (base address, features, translations), the style and script links, the
search box and the clinic's footer. templates/theme/main.html hands those blocks to `memo`, which
renders a block once per site build and relative base (`base_url`, "../.." for a page two folders
down) and gives later pages the same text. A block handed here must read nothing of the page but
`base_url` and addresses made relative by MkDocs' `url` filter to the theme's own files (assets/...):
those are the same from every page at one depth, since no page's address begins with "assets/".

`reset()` is called before each site is built (generator/site/builder.py): nothing is shared between
sites. tests/test_site.py compares every example site built with and without the theme caches (this
memo is one of them, registered with them in theme_cache.py), byte for byte.
"""

from __future__ import annotations

from typing import Any, Callable

import jinja2

ENABLED = True
_MEMO: dict[tuple[str, str], Any] = {}
STATS = {"frame_blocks_reused": 0}


def reset() -> None:
    _MEMO.clear()


@jinja2.pass_context
def memo(context: Any, name: str, render: Callable[[], Any]) -> Any:
    """`render()` (a block's `super` or a macro), or what it gave on an earlier page at the same depth."""
    page = context.get("page")
    url = getattr(page, "url", None)
    base = context.get("base_url")
    if not ENABLED or not isinstance(url, str) or url.startswith("assets") or not isinstance(base, str):
        return render()
    key = (name, base)
    if key in _MEMO:
        STATS["frame_blocks_reused"] += 1
    else:
        _MEMO[key] = render()
    return _MEMO[key]
