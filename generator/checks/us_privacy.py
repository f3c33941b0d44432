"""US website privacy policy: CCPA/CPRA, CalOPPA, Colorado Privacy Act, children (checklist CA-, CAL-, CO-, US-01)."""

from __future__ import annotations

from datetime import timedelta

from .base import WARNING, Context, Rule, both, phrases, when

N = "privacy"
T = "templates/privacy-us.md.j2"
us = lambda c: c.jurisdiction.country == "US"  # noqa: E731
ccpa = when(lambda c: us(c) and c.regimes.ccpa, "the CCPA does not apply (regimes.ccpa is false: below its thresholds)")
ccpa_selling = when(lambda c: us(c) and c.regimes.ccpa and c.sale.sells_data,
                    "the CCPA does not apply or the clinic does not sell or share data (sale.sells_data)")
caloppa = when(lambda c: us(c) and c.regimes.caloppa, "CalOPPA does not apply (regimes.caloppa is false)")
colorado = when(lambda c: us(c) and c.regimes.colorado_privacy_act,
                "the Colorado Privacy Act does not apply (regimes.colorado_privacy_act is false)")


def _data(predicate, message: str):
    return lambda ctx: [] if predicate(ctx.clinic) else [message]


def _has_collection(c) -> bool:
    return bool(c.collection.personal.items or c.collection.health.items or c.collection.website.items)


def _dnt(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_do_not_track is None:
        return ["the data does not say how the site responds to Do Not Track (cookies.honors_do_not_track)"]
    return phrases(N, r"Do Not Track")(ctx)


def _updated(ctx: Context) -> list[str]:
    versions = ctx.versions.get(N, [])
    current = [v for v in versions if v.effective <= ctx.as_of]
    if not current:
        return ["the privacy policy has no version in effect, so no date it was last updated"]
    last = current[-1].effective
    if ctx.as_of - last > timedelta(days=365):
        return [f"last updated {last}, more than 12 months before {ctx.as_of}: review it and publish a new version"]
    return []


def _minors(ctx: Context) -> list[str]:
    age = ctx.clinic.minors.minimum_age
    return phrases(N, rf"\b{age}\b")(ctx) if age else []


RULES = [
    Rule("CA-01..05", N, "Cal. Code Regs. tit. 11 §7011(e)(1)",
         "categories collected in the last 12 months, their sources, purposes, sold or shared, disclosed for a business purpose",
         "clinic.yaml: collection, uses, disclosures; " + T,
         both(_data(_has_collection, "no categories of information (collection)"),
              phrases(N, r"12 months", r"(comes|come|get it) from|sources?", r"(?<!not )\b(sell|sold)\b", r"business purpose")), ccpa),
    Rule("CA-08", N, "Cal. Code Regs. tit. 11 §7011(e)(2)", "rights to know, delete, correct, opt out, limit sensitive data; no discrimination",
         T, phrases(N, r"right to know", r"delete", r"correct", r"opt out", r"sensitive", r"discriminat|treat you differently"), ccpa),
    Rule("CA-09", N, "Cal. Code Regs. tit. 11 §7011(e)(3)", "how to make a request, how it is verified, authorized agents",
         "clinic.yaml: requests.channels; " + T,
         both(_data(lambda c: bool(c.requests.channels), "no way to make a request (requests.channels)"),
              phrases(N, r"verif|confirm who you are", r"authori[sz]ed agent|someone to act for you")), ccpa),
    Rule("CA-10", N, "Cal. Code Regs. tit. 11 §7011(e)(3)(F), §7025", "how Global Privacy Control is honoured",
         "clinic.yaml: cookies.honors_gpc", phrases(N, r"Global Privacy Control"), ccpa_selling),
    Rule("CA-15", N, "Cal. Code Regs. tit. 11 §7011(e)(4)", "the date last updated, no more than 12 months old",
         "notices publish", _updated, when(us, "not a US clinic"), WARNING),
    Rule("CA-16", N, "Cal. Civ. Code §1798.135", "a 'Do Not Sell or Share My Personal Information' link",
         T, phrases(N, r"Do Not Sell or Share My Personal Information"), ccpa_selling),
    Rule("CAL-01", N, "Cal. Bus. & Prof. Code §22575(b)(1)", "categories collected and the third parties it is shared with",
         "clinic.yaml: collection, service_providers", _data(_has_collection, "no categories of information (collection)"), caloppa),
    Rule("CAL-02", N, "Cal. Bus. & Prof. Code §22575(b)(2)", "how to review and ask to change your information",
         T, phrases(N, r"(see|review)[^.]*(change|correct)|(change|correct)[^.]*(see|review)"), caloppa),
    Rule("CAL-03", N, "Cal. Bus. & Prof. Code §22575(b)(3)", "how material changes are announced",
         "clinic.yaml: changes.channels", _data(lambda c: bool(c.changes.channels), "no way of announcing changes (changes.channels)"), caloppa),
    Rule("CAL-04", N, "Cal. Bus. & Prof. Code §22575(b)(4)", "its effective date",
         "notices publish --effective", lambda ctx: [] if ctx.versions.get(N) else ["not published yet: no effective date"], caloppa),
    Rule("CAL-05", N, "Cal. Bus. & Prof. Code §22575(b)(5)", "how the site responds to Do Not Track",
         "clinic.yaml: cookies.honors_do_not_track", _dnt, caloppa),
    Rule("CAL-06", N, "Cal. Bus. & Prof. Code §22575(b)(6)", "whether third parties may track you across other sites",
         "clinic.yaml: cookies.third_parties_track_across_sites",
         lambda ctx: (["the data does not say (cookies.third_parties_track_across_sites)"]
                      if ctx.clinic.cookies.third_parties_track_across_sites is None else
                      phrases(N, r"other (web)?sites[^.]*(track|activity)|(track|activity)[^.]*other (web)?sites")(ctx)), caloppa),
    Rule("CO-01..09", N, "4 CCR 904-3 Rule 6.03", "categories, purposes, sales or targeted ads, third parties, rights incl. universal opt-out, appeal, contact, date",
         T, phrases(N, r"targeted advertising", r"appeal", r"universal opt-out|Global Privacy Control"), colorado),
    Rule("US-01", N, "COPPA practice", "the age below which the clinic does not knowingly collect data",
         "clinic.yaml: minors.minimum_age; " + T, _minors,
         when(lambda c: us(c) and c.minors.minimum_age is not None, "the clinic states no age limit")),
]
