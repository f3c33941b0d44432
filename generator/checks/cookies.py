"""Cookie notice and the cross-document check (checklist CK-01 … CK-07, XD-01), and CK-08, which
`notices scan` checks against the clinic's live website (generator/checks/scan.py)."""

from __future__ import annotations

from .base import WARNING, Context, Rule, always, both, phrases, when

N = "cookies"
T = "templates/cookies.md.j2"


def _table(ctx: Context) -> list[str]:
    items = ctx.clinic.cookies.items
    if not items:
        return ["no cookie or tracker is listed by name (cookies.items)"]
    text = ctx.text(N)
    return [f"{i.name} is not in the cookie table" for i in items if i.name not in text]


def _categories(ctx: Context) -> list[str]:
    from ..notices.render import (
        environment,  # the words for each category are the templates'
    )

    words = environment(ctx.templates_dir, "en").globals["L"]["cookie_category"]  # the texts checked are English (checks.context)
    text = ctx.text(N).lower()
    return [f"the category of {i.name} ({words[i.category]}) is not shown" for i in ctx.clinic.cookies.items
            if words[i.category].lower() not in text]


def _beacons_used(c) -> bool:
    b = c.cookies.web_beacons
    return b.on_site or b.in_email or any(i.type in ("pixel", "web_beacon", "sdk") for i in c.cookies.items)


def _gpc(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_gpc is None:
        return ["the data does not say whether Global Privacy Control is honoured (cookies.honors_gpc)"]
    return phrases(N, r"Global Privacy Control")(ctx)


def _dnt(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_do_not_track is None:
        return ["the data does not say how the site responds to Do Not Track (cookies.honors_do_not_track)"]
    return phrases(N, r"Do Not Track")(ctx)


def _marketing_on_care_pages(ctx: Context) -> list[str]:
    return [f"{i.name} ({i.provider}) is a marketing tracker on {', '.join(p for p in i.pages if p in ('booking', 'patient_portal', 'all'))} pages"
            for i in ctx.clinic.cookies.items
            if i.category == "marketing" and set(i.pages) & {"booking", "patient_portal", "all"}]


def _recipients(ctx: Context) -> list[str]:
    c = ctx.clinic
    named = {p.name.lower() for p in c.service_providers if p.name}
    privacy = ctx.text("privacy").lower()
    out = []
    for item in c.cookies.items:
        if item.party != "third":
            continue
        if item.provider.lower() not in named:
            out.append(f"{item.provider} sets {item.name} but is not among service_providers")
        elif item.provider.lower() not in privacy:
            out.append(f"{item.provider} is not named in the privacy notice")
    return out


gpc_required = lambda c: c.regimes.ccpa or c.regimes.colorado_privacy_act  # noqa: E731

RULES = [
    Rule("CK-01", N, "CCPA 'sharing'; CalOPPA §22575; OPC online behavioural advertising guidance (2021)",
         "a table of every cookie or tracker: name, provider, purpose, duration, party, type",
         "clinic.yaml: cookies.items", _table, always),
    Rule("CK-02", N, "as CK-01", "a category for each cookie: strictly necessary, preferences, analytics, marketing",
         "clinic.yaml: cookies.items[].category; " + T, _categories, always),
    Rule("CK-03", N, "as CK-01", "web beacons, pixels and SDKs disclosed, not only cookies",
         T, phrases(N, r"web beacons?|pixels?"), when(_beacons_used, "the clinic declares no web beacon, pixel or SDK")),
    Rule("CK-04", N, "as CK-01", "how to opt out: the site's settings, browser controls",
         "clinic.yaml: cookies.opt_out; " + T, both(
             lambda ctx: [] if ctx.clinic.cookies.opt_out else ["no way to opt out (cookies.opt_out)"],
             phrases(N, r"browser")), always),
    Rule("CK-05", N, "Cal. Code Regs. tit. 11 §7025; Colorado Rule 6.03", "whether and how Global Privacy Control is honoured",
         "clinic.yaml: cookies.honors_gpc", _gpc, when(gpc_required, "neither the CCPA nor the Colorado Privacy Act applies")),
    Rule("CK-05", N, "best practice", "whether and how Global Privacy Control is honoured",
         "clinic.yaml: cookies.honors_gpc", _gpc, when(lambda c: not gpc_required(c), "required under CK-05 above"), WARNING),
    Rule("CK-06", N, "Cal. Bus. & Prof. Code §22575(b)(5)", "the response to Do Not Track",
         "clinic.yaml: cookies.honors_do_not_track", _dnt,
         when(lambda c: c.regimes.caloppa, "CalOPPA does not apply (regimes.caloppa is false)")),
    Rule("CK-07", N, "HHS OCR guidance on online tracking technologies", "no marketing tracker on booking or patient-portal pages",
         "clinic.yaml: cookies.items[].pages", _marketing_on_care_pages, always, WARNING),
    Rule("XD-01", None, "cross-document consistency", "every third party in the cookie notice is named among the privacy notice's recipients",
         "clinic.yaml: service_providers", _recipients, always),
]

# Checked by `notices scan` on the clinic's own website, not from the data: not one of RULES, which
# `notices check` runs. CK-08 is not yet an item of shared/compliance/checklist.md; it asks that CK-01's
# table be true of the site.
CK_08 = Rule("CK-08", N, "as CK-01 (CCPA 'sharing'; CalOPPA §22575; OPC online behavioural advertising guidance "
             "(2021)): the table must list what the site really sets",
             "every cookie, local-storage key and third-party request the site makes is in the cookie table, "
             "and every item of the table is seen",
             "clinic.yaml: cookies.items", lambda ctx: [],
             lambda ctx: "checked by `notices scan SLUG URL` against the clinic's live website")
SCAN_RULES = [CK_08]
