"""Consumer health data outside HIPAA (checklist CHD-01 … CHD-09): Washington's My Health My Data Act
(RCW 19.373), Nevada's SB 370 (NRS 603A) and Connecticut's CTDPA (Conn. Gen. Stat. §42-515 ff.).

The rules read the clinic's `consumer_health` block and the consumer health data privacy policy
(notice `chd`) as a consumer reads it. A declared geofence is refused when the data is read
(generator/data/consumer_health.py, RCW 19.373.080), so no rule here needs to see one.

What was read: the section list of chapter 19.373 RCW (a stored copy of the chapter: .020 consumer
health data privacy policy, .030 collection or sharing, .040 consumer rights, refusal and appeal, .070
valid authorization to sell, .080 geofence restrictions), and summaries of .040 (confirm, access with a
list of every third party and affiliate and a way to contact each, withdraw consent, delete; an answer
within 45 days, once extendable by 45; an appeal of a refusal). The policy's sentences state these. For
CHD-09 (checklist *verify thresholds*): summaries of Connecticut SB 1295 (Public Act 25-113, in force July
1, 2026) say the CTDPA then reaches any controller that processes consumers' sensitive data, whatever
the volume (except data processed only to complete a payment), and consumer health data is sensitive
data, processed only with consent. The statute's own text was not read; NRS 603A (SB 370) is taken as
the checklist gives it, a mirror of the Washington items.
"""

from __future__ import annotations

from typing import Callable, Optional

from .base import Context, Rule, both, phrases

N = "chd"
T = "templates/chd.md.j2"
DATA = "clinic.yaml: consumer_health"


def _states(*codes: str) -> Callable[[Context], Optional[str]]:
    def applies(ctx: Context) -> Optional[str]:
        ch = ctx.clinic.consumer_health
        if ch is None:
            return "the clinic states no consumer health data collected outside HIPAA (consumer_health)"
        if not set(codes) & set(ch.states):
            return f"the clinic serves no consumers of {' or '.join(codes)} (consumer_health.states)"
        return None

    return applies


wa_nv, wa, ct = _states("WA", "NV"), _states("WA"), _states("CT")


def _separate(ctx: Context) -> list[str]:
    out = [] if N in ctx.texts else ["the clinic publishes no consumer health data privacy policy of its own"]
    privacy = ctx.text("privacy")
    if privacy and "Consumer Health Data Privacy Policy" in privacy and N not in ctx.texts:
        out.append("the website privacy policy stands in for it, which the law does not allow")
    return out


def _homepage(ctx: Context) -> list[str]:
    from ..announcing.embed import HOMEPAGE  # the link snippet's words are the announcing stage's

    out = [] if N in HOMEPAGE else ["the link snippet for the clinic's site does not say the link goes on its homepage"]
    if ctx.clinic.clinic_website is None:
        out.append("no homepage to link from (clinic_website)")
    return out


def _data(what: str, get: Callable) -> Callable[[Context], list[str]]:
    return lambda ctx: [] if get(ctx.clinic.consumer_health) else [f"the data lists no {what}"]


def _each_category(ctx: Context) -> list[str]:
    from ..notices.render import environment

    labels = environment(ctx.templates_dir, "en").globals["L"]["chd_category"]
    text = ctx.text(N)
    return [f"the category {i.category!r} is not in the policy" for i in ctx.clinic.consumer_health.collects
            if labels[i.category] not in text]


def _affiliates(ctx: Context) -> list[str]:
    return [f"the affiliate {a} is not named in the policy" for a in ctx.clinic.consumer_health.affiliates
            if a not in ctx.text(N)]


RULES = [
    Rule("CHD-01", N, "RCW 19.373.020(1)(a); NRS 603A (SB 370)",
         "a consumer health data privacy policy of its own, separate from the website privacy policy",
         T, both(_separate, phrases(N, r"shares consumer health data about people in")), wa_nv),
    Rule("CHD-02", N, "RCW 19.373.020(1)(b)", "a prominent link to the policy on the clinic's homepage",
         "clinic.yaml: clinic_website; generator/announcing/embed.py HOMEPAGE", _homepage, wa),
    Rule("CHD-03", N, "RCW 19.373.020(1)(a)(i)", "the categories of consumer health data collected, and the purpose and use of each",
         f"{DATA}.collects; {T}", both(_each_category, phrases(N, r"what we collect, and why")), wa_nv),
    Rule("CHD-04", N, "RCW 19.373.020(1)(a)(ii)", "the categories of sources of consumer health data",
         f"{DATA}.sources; {T}", both(_data("sources (consumer_health.sources)", lambda ch: ch.sources),
                                      phrases(N, r"we get consumer health data from")), wa_nv),
    Rule("CHD-05", N, "RCW 19.373.020(1)(a)(iii)", "the categories of consumer health data shared",
         f"{DATA}.collects.N.shared_with; {T}",
         both(_data("shared category (consumer_health.collects.N.shared_with)", lambda ch: ch.shared()),
              phrases(N, r"we share these kinds of consumer health data")), wa_nv),
    Rule("CHD-06", N, "RCW 19.373.020(1)(a)(iv)", "the categories of third parties, and the specific affiliates, it is shared with",
         f"{DATA}.collects.N.shared_with, {DATA}.affiliates; {T}",
         both(_affiliates, phrases(N, r"kinds of third parties we share it with")), wa_nv),
    Rule("CHD-07", N, "RCW 19.373.020(1)(a)(v), RCW 19.373.040",
         "how to use each right (confirm and access, the list of third parties and affiliates, deletion, "
         "withdrawal of consent) and how to appeal a refusal",
         f"{DATA}.requests, {DATA}.appeals; {T}",
         phrases(N, r"and see it", r"every third party and affiliate", r"have it deleted", r"withdraw your consent",
                 r"to use a right, contact us", r"you can appeal"), wa_nv),
    Rule("CHD-08", N, "RCW 19.373.030, RCW 19.373.070",
         "that collecting and sharing each need the consumer's consent, separately, and that selling needs a signed authorization",
         T, phrases(N, r"consent before we collect", r"separate consent before we share", r"authorization that you sign"), wa_nv),
    Rule("CHD-09", N, "Conn. Gen. Stat. §42-515 ff. (CTDPA, as amended by SB 1295 from July 1, 2026)",
         "consumer health data is sensitive data, processed only with the consumer's consent",
         T, phrases(N, r"Connecticut, consumer health data is sensitive data"), ct),
]
