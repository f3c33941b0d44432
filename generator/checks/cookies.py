"""Cookie notice and the cross-document check (checklist CK-01 … CK-07, XD-01), and CK-08, which
`notices scan` checks against the clinic's live website (generator/checks/scan.py)."""

from __future__ import annotations

from .base import WARNING, Context, Gap, Rule, both, gap, phrases, when
from .laws import cookie_laws, stated, us

N = "cookies"
T = "templates/cookies.md.j2"


def _table(ctx: Context) -> list[str]:
    items = ctx.clinic.cookies.items
    if not items:
        return [Gap("no cookie or tracker is listed by name", "cookies.items")]
    text = ctx.text(N)
    return [f"{i.name} is not in the cookie table" for i in items if i.name not in text]


def _categories(ctx: Context) -> list[str]:
    from ..notices.render import (
        environment,  # the words for each category are the templates'
    )

    words = environment(ctx.templates_dir, ctx.clinic.languages[0]).globals["L"]["cookie_category"]
    text = ctx.text(N).lower()
    return [f"the category of {i.name} ({words[i.category]}) is not shown" for i in ctx.clinic.cookies.items
            if words[i.category].lower() not in text]


def _beacons_used(c) -> bool:
    b = c.cookies.web_beacons
    return b.on_site or b.in_email or any(i.type in ("pixel", "web_beacon", "sdk") for i in c.cookies.items)


def _gpc(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_gpc is None:
        return [Gap("the data does not say whether Global Privacy Control is honoured", "cookies.honors_gpc")]
    return phrases(N, r"Global Privacy Control")(ctx)


def _dnt(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_do_not_track is None:
        return [Gap("the data does not say how the site responds to Do Not Track", "cookies.honors_do_not_track")]
    return phrases(N, r"Do Not Track")(ctx)


# Pages a visitor reaches only after signing in or booking: what OCR's guidance still reaches after
# AHA v. Becerra (N.D. Tex., June 2024). "all" includes them; "contact" is a public page.
AUTHENTICATED = ("booking", "patient_portal", "all")


def _marketing_on_authenticated_pages(ctx: Context) -> list[str]:
    return [Gap(f"{i.name} ({i.provider}) is a marketing tracker on {', '.join(p for p in i.pages if p in AUTHENTICATED)} "
                "pages, which patients reach signed in or booking care", f"cookies.items.{n}.pages",
                "keep marketing trackers off booking and patient-portal pages, or correct where it is set")
            for n, i in enumerate(ctx.clinic.cookies.items)
            if i.category == "marketing" and set(i.pages) & set(AUTHENTICATED)]


def _recipients(ctx: Context) -> list[str]:
    c = ctx.clinic
    named = {p.name.lower() for p in c.service_providers if p.name}
    privacy = ctx.text("privacy").lower()
    out = []
    for item in c.cookies.items:
        if item.party != "third":
            continue
        if item.provider.lower() not in named:
            out.append(Gap(f"{item.provider} sets {item.name} but is not among service_providers", "service_providers"))
        elif item.provider.lower() not in privacy:
            out.append(f"{item.provider} is not named in the privacy notice")
    return out


def gpc_required(c) -> bool:
    return bool(us(c) and (stated(c, "regimes.ccpa") or stated(c, "regimes.colorado_privacy_act")))


def _gpc_laws(ctx: Context) -> list[str]:
    c = ctx.clinic
    return ((["Cal. Code Regs. tit. 11 §7025"] if stated(c, "regimes.ccpa") else [])
            + (["Colorado Rule 6.03(A)(4)(e)"] if stated(c, "regimes.colorado_privacy_act") else []))


# A clinic may publish no cookie notice (its `notices` list, once it has one): then no cookie rule runs.
has_notice = when(lambda c: N in c.notices, "the clinic publishes no cookie notice", "the clinic publishes a cookie notice")
ALL = "CCPA 'sharing'; CalOPPA §22575; Colorado Rule 6.03; OPC online behavioural advertising guidance (2021) or PIPA BC / PIPA Alberta"

RULES = [
    Rule("CK-01", N, ALL, "a table of every cookie or tracker: name, provider, purpose, duration, party, type",
         T, _table, has_notice, cites=cookie_laws, since=2),
    Rule("CK-02", N, ALL, "a category for each cookie: strictly necessary, preferences, analytics, marketing",
         T, _categories, has_notice, cites=cookie_laws, since=2),
    Rule("CK-03", N, ALL, "web beacons, pixels and SDKs disclosed, not only cookies",
         T, phrases(N, r"web beacons?|pixels?"),
         when(lambda c: N in c.notices and _beacons_used(c), "the clinic declares no web beacon, pixel or SDK, or publishes no cookie notice",
              "the clinic declares a web beacon, pixel or SDK"), cites=cookie_laws, since=2),
    Rule("CK-04", N, ALL, "how to opt out: the site's settings, browser controls", T,
         both(gap(lambda c: bool(c.cookies.opt_out), "no way to opt out", "cookies.opt_out"), phrases(N, r"browser")),
         has_notice, cites=cookie_laws, since=2),
    Rule("CK-05", N, "Cal. Code Regs. tit. 11 §7025; Colorado Rule 6.03", "whether and how Global Privacy Control is honoured",
         "templates/partials/gpc.md.j2", _gpc,
         when(lambda c: N in c.notices and gpc_required(c), "neither the CCPA nor the Colorado Privacy Act applies",
              "the CCPA or the Colorado Privacy Act"), cites=_gpc_laws),
    Rule("CK-05", N, "best practice", "whether and how Global Privacy Control is honoured",
         "templates/partials/gpc.md.j2", _gpc,
         when(lambda c: N in c.notices and not gpc_required(c), "required under CK-05 above",
              "neither the CCPA nor the Colorado Privacy Act (best practice)"), WARNING),
    Rule("CK-06", N, "Cal. Bus. & Prof. Code §22575(b)(5)", "the response to Do Not Track",
         "templates/partials/dnt.md.j2", _dnt,
         when(lambda c: N in c.notices and us(c) and bool(stated(c, "regimes.caloppa")),
              "CalOPPA does not apply (regimes.caloppa is false)", "CalOPPA")),
    Rule("CK-07", N, "HHS OCR guidance on online tracking technologies (as limited by AHA v. Becerra, N.D. Tex. 2024)",
         "no marketing tracker on booking, patient-portal or other authenticated pages (a tracker on public pages "
         "alone is not this finding)", T, _marketing_on_authenticated_pages,
         when(lambda c: "hipaa" in c.notices, "OCR's guidance reaches HIPAA covered entities only: the clinic publishes "
              "no HIPAA notice", "a US health clinic (warning)"), WARNING, since=2),
    Rule("XD-01", None, "cross-document consistency", "every third party in the cookie notice is named among the privacy notice's recipients",
         "templates/partials/sharing.md.j2", _recipients, has_notice),
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
