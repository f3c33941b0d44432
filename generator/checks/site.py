"""The notices site itself: what it can publish from the clinic's settings (SITE-01)."""

from __future__ import annotations

from .base import Context, Rule, always


def _site_url(ctx: Context) -> list[str]:
    # Feeds and embeds are read away from this site (in a feed reader, on the clinic's own website), so
    # their links must be absolute; without site_url the build leaves them out rather than publish
    # links that point somewhere else.
    if ctx.clinic.site_url is None:
        return ["site_url: the address where this notices site is published; without it the site has no "
                "feeds (Atom, JSON Feed) and no embeds for the clinic's own website"]
    return []


# Reported under "site", not a notice: `notices check` fails on it, but a notice's version can still be
# published (its text is not what is missing).
RULES = [
    Rule("SITE-01", "site", "notices site: feeds and embeds need absolute links",
         "the address where the notices site is published",
         "clinic.yaml: site_url (the site's public address, like https://notices.example.org/my-clinic/)",
         _site_url, always),
]
