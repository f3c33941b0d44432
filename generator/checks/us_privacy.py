"""US website privacy policy: CCPA/CPRA, CalOPPA, Colorado Privacy Act, children (checklist CA-, CAL-, CO-, US-01)."""

from __future__ import annotations

from datetime import timedelta

from .base import WARNING, Context, Gap, Rule, both, gap, needing, phrases, when
from .laws import regime, us

N = "privacy"
T = "templates/privacy-us.md.j2"
ccpa = regime("ccpa", "the CCPA")
ccpa_selling = regime("ccpa", "the CCPA", extra=("sale.sells_data", "the clinic does not sell or share data (sale.sells_data is false)",
                                                  "the clinic sells or shares"))
ccpa_sensitive = regime("ccpa", "the CCPA", extra=(
    "regimes.sensitive_use_beyond_permitted",
    "the clinic uses sensitive data only for the purposes §7027(m) allows (regimes.sensitive_use_beyond_permitted is false)",
    "sensitive data is used beyond the permitted purposes"))
caloppa = regime("caloppa", "CalOPPA")
colorado = regime("colorado_privacy_act", "the Colorado Privacy Act")


def _has_collection(c) -> bool:
    return bool(c.collection.personal.items or c.collection.health.items or c.collection.website.items)


def _dnt(ctx: Context) -> list[str]:
    if ctx.clinic.cookies.honors_do_not_track is None:
        return [Gap("the data does not say how the site responds to Do Not Track", "cookies.honors_do_not_track")]
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


def _gpc_signal(ctx: Context) -> list[str]:
    # CA-10 as worded for 2026: how GPC and other opt-out preference signals are honoured (the notice),
    # and the site shows whether it processed the signal (§7025(c)(6)): the consent manager's banner
    # titled "Opt-Out Request Honored", which is made only for a clinic that lists its cookies.
    from ..announcing.consent import applies as consent_manager

    c = ctx.clinic
    if c.cookies.honors_gpc is None:
        return [Gap("the data does not say whether Global Privacy Control is honoured", "cookies.honors_gpc")]
    out = phrases(N, r"Global Privacy Control")(ctx)
    if c.cookies.honors_gpc and not consent_manager(c):
        out.append(Gap("no consent manager shows visitors that their opt-out signal was honoured, because the "
                       "cookie notice lists no cookies", "cookies.items"))
    return out


def _service_provider_kinds(ctx: Context) -> list[str]:
    c = ctx.clinic
    missing = [Gap(f"the data does not say what information goes to {s.name or s.role}", f"service_providers.{i}.receives")
               for i, s in enumerate(c.service_providers) if not s.receives]
    if missing:
        return missing
    return phrases(N, r"service providers and contractors")(ctx) if c.service_providers else []


def _announced_where_consumers_are(ctx: Context) -> list[str]:
    # Rule 6.04(A): material changes "communicated to Consumers in a manner by which the Controller
    # regularly interacts with Consumers". The data names the channels; the notice must say them, and
    # one of them must reach a person directly (email or post), not only a page they may never visit.
    channels = ctx.clinic.changes.channels
    if not channels:
        return [Gap("no way of announcing changes", "changes.channels")]
    if not set(channels) & {"email", "in_office"}:
        return [Gap("changes are only posted on the website, not told through a way the clinic regularly "
                    "reaches people (email, or in the office)", "changes.channels", "add email or in_office")]
    return []


RULES = [
    Rule("CA-01..05", N, "Cal. Code Regs. tit. 11 §7011(e)(1)",
         "categories collected in the last 12 months, their sources, purposes, sold or shared, disclosed for a business purpose", T,
         needing(phrases(N, r"12 months", r"(comes|come|get it) from|sources?", r"(?<!not )\b(sell|sold)\b", r"business purpose"),
                 ("collection", _has_collection, "no categories of information")), ccpa),
    Rule("CA-08", N, "Cal. Code Regs. tit. 11 §7011(e)(2)", "rights to know, delete, correct, opt out, limit sensitive data; no discrimination",
         T, phrases(N, r"right to know", r"delete", r"correct", r"opt out", r"sensitive", r"discriminat|treat you differently"), ccpa),
    Rule("CA-09", N, "Cal. Code Regs. tit. 11 §7011(e)(3)", "how to make a request, how it is verified, authorized agents", T,
         both(gap(lambda c: bool(c.requests.channels), "no way to make a request", "requests.channels"),
              phrases(N, r"verif|confirm who you are", r"authori[sz]ed agent|someone to act for you")), ccpa),
    Rule("CA-10", N, "Cal. Code Regs. tit. 11 §7011(e)(3)(F), §7025(c)(6)",
         "how Global Privacy Control and other opt-out preference signals are honoured, and the site shows whether it "
         "processed the signal ('Opt-Out Request Honored', from Jan 1, 2026)",
         "templates/partials/gpc.md.j2", _gpc_signal, ccpa_selling, since=2),
    Rule("CA-15", N, "Cal. Code Regs. tit. 11 §7011(e)(4)", "the date last updated, no more than 12 months old",
         "notices publish", _updated, ccpa, WARNING, since=2),
    Rule("CA-16", N, "Cal. Civ. Code §1798.135", "a 'Do Not Sell or Share My Personal Information' link",
         T, phrases(N, r"Do Not Sell or Share My Personal Information"), ccpa_selling),
    Rule("CA-17", N, "Cal. Civ. Code §1798.135(a)(2); Cal. Code Regs. tit. 11 §7027",
         "a 'Limit the Use of My Sensitive Personal Information' link (health data is sensitive). Read: §7027 "
         "(a)-(m) as published by the CPPA: the link is owed unless sensitive data is used only for the purposes "
         "listed in §7027(m); whether that is so is the clinic's fact (regimes.sensitive_use_beyond_permitted)",
         "templates/partials/us-state-laws.md.j2", phrases(N, r"Limit the Use of My Sensitive Personal Information"),
         ccpa_sensitive, since=2),
    Rule("CA-18", N, "Cal. Code Regs. tit. 11 §7011(e)(1) (as amended, effective Jan 1, 2026)",
         "the categories of personal information disclosed to service providers and contractors. Read (verify): "
         "secondary summaries of the 2025 CPPA rulemaking and the current §7011(e)(1), which asks for the categories "
         "disclosed for a business purpose and to whom; the amended text was not found to read, so the check asks "
         "for each provider what it receives and for the words 'service providers and contractors'",
         "templates/partials/us-state-laws.md.j2", _service_provider_kinds, ccpa, since=2),
    Rule("CAL-01", N, "Cal. Bus. & Prof. Code §22575(b)(1)", "categories collected and the third parties it is shared with",
         T, gap(_has_collection, "no categories of information", "collection"), caloppa),
    Rule("CAL-02", N, "Cal. Bus. & Prof. Code §22575(b)(2)", "how to review and ask to change your information",
         T, phrases(N, r"(see|review)[^.]*(change|correct)|(change|correct)[^.]*(see|review)"), caloppa),
    Rule("CAL-03", N, "Cal. Bus. & Prof. Code §22575(b)(3)", "how material changes are announced",
         T, gap(lambda c: bool(c.changes.channels), "no way of announcing changes", "changes.channels"), caloppa),
    Rule("CAL-04", N, "Cal. Bus. & Prof. Code §22575(b)(4)", "its effective date",
         "notices publish --effective", lambda ctx: [] if ctx.versions.get(N) else ["not published yet: no effective date"], caloppa),
    Rule("CAL-05", N, "Cal. Bus. & Prof. Code §22575(b)(5)", "how the site responds to Do Not Track",
         "templates/partials/dnt.md.j2", _dnt, caloppa),
    Rule("CAL-06", N, "Cal. Bus. & Prof. Code §22575(b)(6)", "whether third parties may track you across other sites", T,
         lambda ctx: ([Gap("the data does not say", "cookies.third_parties_track_across_sites")]
                      if ctx.clinic.cookies.third_parties_track_across_sites is None else
                      phrases(N, r"other (web)?sites[^.]*(track|activity)|(track|activity)[^.]*other (web)?sites")(ctx)), caloppa),
    Rule("CO-01..09", N, "4 CCR 904-3 Rule 6.03", "categories, purposes, sales or targeted ads, third parties, rights incl. universal opt-out, appeal, contact, date",
         T, phrases(N, r"targeted advertising", r"appeal", r"universal opt-out|Global Privacy Control"), colorado),
    Rule("CO-10", N, "4 CCR 904-3 Rule 6.04(A)",
         "material changes announced to consumers in a way the clinic regularly reaches them. Read: Rule 6.04(A), "
         "'A Controller shall notify Consumers of material changes to a privacy notice … communicated to Consumers "
         "in a manner by which the Controller regularly interacts with Consumers'; 6.04(A)(1) lists material "
         "changes (categories, purposes, identity, sharing, third parties, how to use rights)",
         T, _announced_where_consumers_are, colorado, since=2),
    Rule("US-01", N, "COPPA practice", "the age below which the clinic does not knowingly collect data",
         T, _minors, when(lambda c: us(c) and c.minors.minimum_age is not None, "the clinic states no age limit",
                          "the clinic states an age")),
]
