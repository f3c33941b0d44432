"""`notices scan`: the clinic's own website in headless Chromium, against what its cookie notice declares.

The scan opens the site's address, follows its links to at most `pages` pages of the same origin, and
records every cookie, every local-storage key and every request to another origin, first as a visitor
who has not chosen, then (when the site runs the consent manager `notices build` makes, or any page
offering the same library's "accept all") after accepting all. Each is compared with `cookies.items`:

- seen and not declared: an error, with the item to add to clinic.yaml;
- declared as something else (a cookie found in local storage, or the other way round): an error;
- set before the visitor chose, when the clinic's consent is opt-in (generator/announcing/consent.py): an error;
- declared and never seen: a warning (it may be set on a page the scan did not reach);
- a request to another origin whose host no item names (`cookies.items[].hosts`): an error.

Findings carry checklist ID CK-08. Bounded: `pages` pages per pass, a total time limit, links of the same
origin only, and no request to any other address: requests to other origins are recorded and stopped
before they leave (so a third party's script does not run, and the cookies it would set are not seen;
the report says so). Playwright is imported only here, when a scan runs (`pip install
clinic-notices[scan]`).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from ..announcing.consent import NECESSARY, opt_in
from ..data.model import Clinic
from ..errors import NoticesError
from .base import ERROR, WARNING, Finding
from .cookies import CK_08

BEFORE, ACCEPTED = "before consent", "after accepting all"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# The consent manager's "accept all" (vanilla-cookieconsent's markup, as notices build ships it).
ACCEPT_ALL = '#cc-main [data-role="all"]'


@dataclass(frozen=True)
class Seen:
    kind: str  # cookie, local_storage or request
    name: str  # the cookie's or key's name; for a request, the host it went to
    phase: str
    page: str  # the first page it was seen on
    domain: str = ""  # a cookie's domain
    expires: float = -1  # a cookie's expiry (seconds since the epoch; -1: a session cookie)
    url: str = ""  # a request's address


@dataclass
class Observation:
    url: str
    pages: list[str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    consent_manager: bool = False  # the scan found the consent manager and accepted all
    timed_out: bool = False
    started: float = 0.0  # when the scan ran, for expiries (not printed)


def chromium_path() -> str | None:
    """Chromium to drive: $NOTICES_CHROMIUM, else the system's, else Playwright's own (None)."""
    found = os.environ.get("NOTICES_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found or None


def observe(url: str, pages: int = 10, time_limit: float = 60.0, executable: str | None = None) -> Observation:
    """Visit the site twice (before choosing, then after accepting all) and record what it sets and asks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NoticesError(f"{url!r} is not a web address; give one like https://www.example-clinic.com/")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise NoticesError("the scan needs Playwright: pip install 'clinic-notices[scan]' "
                           "(and a Chromium: Debian's chromium package, or `playwright install chromium`)") from None
    origin = _origin(url)
    deadline = time.monotonic() + time_limit
    obs = Observation(url=url, started=time.time())
    seen: dict[tuple[str, str, str], Seen] = {}

    def note(item: Seen) -> None:
        seen.setdefault((item.kind, item.name, item.phase), item)

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable or chromium_path(), headless=True, args=ARGS)
        except PlaywrightError as exc:
            raise NoticesError(f"cannot start Chromium ({str(exc).splitlines()[0]}); install Debian's chromium "
                               "or run `playwright install chromium`, or set NOTICES_CHROMIUM") from None
        try:
            context = browser.new_context()
            phase = [BEFORE]
            current = [url]

            def route(r: Any) -> None:
                req = r.request
                if _origin(req.url) == origin:
                    r.continue_()
                    return
                if urlsplit(req.url).scheme in ("http", "https"):
                    note(Seen("request", urlsplit(req.url).netloc.lower(), phase[0], current[0], url=req.url))
                r.abort()  # nothing leaves for another address

            context.route("**/*", route)
            page = context.new_page()
            for p in (BEFORE, ACCEPTED):
                phase[0] = p
                if p == ACCEPTED:
                    if not _accept_all(page, url, deadline):
                        break
                    obs.consent_manager = True
                visited = _crawl(page, url, origin, pages, deadline, lambda u: current.__setitem__(0, u),
                                 lambda u: _record(context, page, u, p, note), PlaywrightError)
                if p == BEFORE:
                    obs.pages = visited
                if time.monotonic() >= deadline:
                    obs.timed_out = True
                    break
        finally:
            browser.close()
    obs.seen = sorted(seen.values(), key=lambda s: (s.phase != BEFORE, s.kind, s.name))
    return obs


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _remaining_ms(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


def _crawl(page: Any, start: str, origin: str, limit: int, deadline: float, on_page, record, error) -> list[str]:
    """Breadth first from `start`, links of the same origin only, at most `limit` pages."""
    queue, done = [urldefrag(start)[0]], []
    while queue and len(done) < limit and time.monotonic() < deadline:
        url = queue.pop(0)
        if url in done:
            continue
        on_page(url)
        try:
            page.goto(url, wait_until="load", timeout=_remaining_ms(deadline))
            page.wait_for_load_state("networkidle", timeout=min(5000, _remaining_ms(deadline)))
        except error:
            pass  # what loaded is still recorded; a page that never settles is not waited for
        done.append(url)
        record(url)
        try:
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        except error:
            hrefs = []
        for href in hrefs:
            link = urldefrag(urljoin(url, href))[0]
            if _origin(link) == origin and link not in done and link not in queue:
                queue.append(link)
    return done


def _record(context: Any, page: Any, url: str, phase: str, note) -> None:
    for c in context.cookies():
        note(Seen("cookie", c["name"], phase, url, domain=c.get("domain", ""), expires=c.get("expires", -1)))
    try:
        keys = page.evaluate("() => { try { return Object.keys(localStorage) } catch (e) { return [] } }")
    except Exception:  # noqa: BLE001 - a page that navigated away meanwhile has nothing more to say
        keys = []
    for key in keys:
        note(Seen("local_storage", key, phase, url))


def _accept_all(page: Any, url: str, deadline: float) -> bool:
    """Accept all on the consent manager's banner; False when the site shows none."""
    try:
        page.goto(url, wait_until="load", timeout=_remaining_ms(deadline))
        button = page.locator(ACCEPT_ALL).first
        button.wait_for(state="visible", timeout=min(5000, _remaining_ms(deadline)))
        button.click(timeout=min(5000, _remaining_ms(deadline)))
        page.wait_for_load_state("networkidle", timeout=min(5000, _remaining_ms(deadline)))
        return True
    except Exception:  # noqa: BLE001 - no banner, or none that answers: only the first pass counts
        return False


# --------------------------------------------------------------------------------------------------
# Against the cookie notice


def _declared(name: str, pattern: str) -> bool:
    # A declared name may end in * for a family of names, like _ga_* for Google Analytics' _ga_<id>.
    return name == pattern or ("*" in pattern and fnmatch.fnmatchcase(name, pattern))


def _duration(expires: float, now: float) -> str:
    if expires is None or expires < 0:
        return "session"
    days = max(1, round((expires - now) / 86400))  # the cookie was set a moment after the scan began
    if days >= 365:
        years = round(days / 365)
        return f"{years} year{'s' * (years != 1)}"
    return f"{days} day{'s' * (days != 1)}"


def _host_declared(netloc: str, hosts: list[str]) -> bool:
    # A declared host covers its subdomains (facebook.com: connect.facebook.com); a port only if written.
    host = urlsplit("//" + netloc).hostname or netloc
    return any(netloc == h or host == h or host.endswith("." + h) for h in (x.lower() for x in hosts))


def findings(slug: str, clinic: Clinic, obs: Observation) -> list[Finding]:
    """What the site does that the cookie notice does not say, and the reverse (CK-08)."""
    items = clinic.cookies.items
    site_host = urlsplit(obs.url).hostname or ""
    out: list[Finding] = []

    def add(severity: str, message: str, fix: str) -> None:
        out.append(Finding(CK_08.id, severity, slug, CK_08.notice, CK_08.citation, f"{CK_08.requires}: {message}", fix))

    reported: set[tuple[str, str]] = set()
    for s in obs.seen:
        if s.kind == "request":
            continue
        match = next((i for i in items if _declared(s.name, i.name)), None)
        key = (s.kind, s.name)
        what = "cookie" if s.kind == "cookie" else "local-storage key"
        if match is None:
            if key in reported:
                continue
            reported.add(key)
            party = "first" if s.kind == "local_storage" or s.domain.lstrip(".") == site_host or site_host.endswith(s.domain) else "third"
            duration = _duration(s.expires, obs.started) if s.kind == "cookie" else "until cleared"
            add(ERROR, f"the {what} {s.name} is set on {s.page} ({s.phase}) and the cookie notice does not list it",
                f"clinic.yaml: add to cookies.items {{name: {s.name}, provider: …, purpose: …, duration: {duration}, "
                f"party: {party}, type: {s.kind}, category: …}}, or stop the site from setting it")
            continue
        if match.type != s.kind and match.type in ("cookie", "local_storage") and key not in reported:
            reported.add(key)
            add(ERROR, f"{s.name} is declared as {match.type.replace('_', ' ')} and the site keeps it as a {what}",
                f"clinic.yaml: cookies.items ({s.name}): type: {s.kind}")
        if (s.phase == BEFORE and match.category != NECESSARY and opt_in(clinic)
                and ("before", s.name) not in reported):
            reported.add(("before", s.name))
            add(ERROR, f"the {what} {s.name} ({match.category.replace('_', ' ')}) is set on {s.page} before the "
                       "visitor agrees, and the clinic's consent is opt-in",
                "the clinic's website: gate the script that sets it with type=\"text/plain\" "
                f"data-category=\"{match.category}\" (see docs/consent.md), or correct its category in cookies.items")
    kinds = {(s.kind, s.name) for s in obs.seen}
    blocked = any(s.kind == "request" for s in obs.seen)
    for i in items:
        if i.type not in ("cookie", "local_storage"):
            continue
        if not any(_declared(n, i.name) for _, n in kinds):
            why = f"on the {len(obs.pages)} page{'s' * (len(obs.pages) != 1)} visited"
            why += ", after accepting all" if obs.consent_manager else " (no consent banner was found to accept)"
            if i.party == "third" and blocked:
                why += "; requests to other sites were stopped, so a third party's script could not set it"
            add(WARNING, f"{i.name} ({i.provider}) is declared and was never seen {why}",
                f"clinic.yaml: remove {i.name} from cookies.items if the site no longer sets it, or scan the page "
                "that sets it (its pages: …, or a larger --pages)")
    hosts = [h for i in items for h in i.hosts]
    done: set[str] = set()
    for s in obs.seen:
        if s.kind != "request" or s.name in done or _host_declared(s.name, hosts):
            continue
        done.add(s.name)
        add(ERROR, f"the site asks {s.name} ({s.url}) on {s.page} ({s.phase}), and no item of the cookie notice "
                   "names that host",
            f"clinic.yaml: name {s.name} in the hosts of the tracker it belongs to (cookies.items[].hosts), or add "
            f"it: {{name: …, provider: …, purpose: …, duration: …, party: third, type: pixel, category: …, "
            f"hosts: [{s.name}]}}")
    return out


def to_json(slug: str, obs: Observation, found: list[Finding]) -> str:
    data = {
        "clinic": slug, "url": obs.url, "pages": obs.pages, "consent_manager": obs.consent_manager,
        "timed_out": obs.timed_out,
        "seen": [{k: v for k, v in asdict(s).items() if v not in ("", -1)} for s in obs.seen],
        "findings": [f.__dict__ for f in found],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_text(slug: str, obs: Observation, found: list[Finding]) -> str:
    errors = sum(f.severity == ERROR for f in found)
    lines = [f"{slug}: scanned {len(obs.pages)} page{'s' * (len(obs.pages) != 1)} of {obs.url}"
             + (", then again after accepting all" if obs.consent_manager else " (no consent banner found to accept)")
             + (" (stopped at the time limit)" if obs.timed_out else ""),
             f"  seen: {sum(s.kind == 'cookie' for s in obs.seen)} cookie records, "
             f"{sum(s.kind == 'local_storage' for s in obs.seen)} local-storage records, "
             f"{sum(s.kind == 'request' for s in obs.seen)} requests to other sites (stopped)",
             f"  {errors} error{'s' * (errors != 1)}, {len(found) - errors} warning{'s' * (len(found) - errors != 1)}"]
    for f in found:
        lines.append(f"  {f.severity:7} {f.rule} [{f.notice}] {f.message}")
        lines.append(f"          rule: {f.citation}; fix: {f.fix}")
    return "\n".join(lines) + "\n"
