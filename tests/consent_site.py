"""A clinic, and the clinic's own website with the consent snippet pasted in, for the consent and scan tests.

The website sets what its cookie notice declares: a strictly necessary cookie at once, and behind the
consent manager a preferences local-storage key, an analytics cookie, and a marketing cookie with a pixel
request. Everything is served from one 127.0.0.1 origin: the website at /, the clinic's notices site at
/notices/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import MINIMAL

ITEMS = """\
  honors_gpc: true
  items:
    - {name: site_session, provider: Test Clinic, purpose: site_function, duration: session, party: first, category: strictly_necessary}
    - {name: cc_cookie, provider: Test Clinic, purpose: remember_preferences, duration: 6 months, party: first, category: strictly_necessary}
    - {name: prefs_key, provider: Test Clinic, purpose: remember_preferences, duration: until you clear it, party: first, type: local_storage, category: preferences}
    - {name: an_id, provider: Test Clinic, purpose: analytics, duration: 1 hour, party: first, category: analytics}
    - {name: ad_id, provider: "Ads <b>&</b> Co", purpose: personalized_ads, duration: 1 hour, party: third, category: marketing}
"""

CLINIC = (MINIMAL.replace("country: US, region: CO", "country: US, region: CA")
          + "languages: [en, es]\nregimes: {ccpa: true, caloppa: true}\n"
          + "service_providers:\n  - {name: \"Ads <b>&</b> Co\", role: advertising}\n"
          + "cookies:\n" + ITEMS)

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")

BODY = """\
<script>document.cookie = "site_session=1; path=/";</script>
<script type="text/plain" data-category="preferences">localStorage.setItem("prefs_key", "1");</script>
<script type="text/plain" data-category="analytics">document.cookie = "an_id=1; path=/; max-age=3600";</script>
<script type="text/plain" data-category="marketing">document.cookie = "ad_id=1; path=/; max-age=3600"; new Image().src = "/pixel.gif?ad";</script>
"""


def website(site: Path, dest: Path, lang: str = "en") -> Path:
    """The clinic's website in `dest`: index.html and about.html with the snippet of `site`'s
    embed/consent.html pasted in (its script line in the head, its link in the body), and the built
    notices site copied to dest/notices/."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(site, dest / "notices")
    snippet = (site / "embed" / "consent.html").read_text(encoding="utf-8")
    script = next(line for line in snippet.splitlines() if line.startswith("<script"))
    link = next(line for line in snippet.splitlines() if line.startswith("<a "))
    script = script.replace('src="consent.js"', 'src="/notices/embed/consent.js"')
    for name, other in (("index.html", "about.html"), ("about.html", "index.html")):
        (dest / name).write_text(
            f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>Test Clinic</title>\n{script}\n'
            f'</head><body><main><h1>Test Clinic</h1><a href="{other}">{other}</a>\n{BODY}</main>'
            f"<footer>{link}</footer></body></html>\n", encoding="utf-8")
    (dest / "pixel.gif").write_bytes(GIF)
    return dest
