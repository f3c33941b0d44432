"""Quebec: the Act respecting the protection of personal information in the private sector (CQLR c.
P-39.1) as amended by Law 25 (checklist QC-01 … QC-08), and a warning where the Act respecting health
and social services information (CQLR c. R-22.1, in force July 1, 2024) may apply (QC-R22).

Section numbers (checklist item *verify*) are the checklist's: s. 3.1 (the person in charge, whose
title and contact details are published on the website), s. 8 (what a person is told at collection:
purposes, means, rights of access and rectification, withdrawal of consent, third parties, communication
outside Quebec), s. 8.1 (technology that identifies, locates or profiles: told, and off by default),
s. 8.2 (a confidentiality policy in clear and simple terms on the website), s. 27 (access, and from
Sept 22, 2024 computerized information in a structured, commonly used technological format), s. 28.1
(de-indexation), s. 42 ff. (the Commission d'accès à l'information); the Charter of the French language
for French. They were not read from the statute's own text here; the rules cite them as the checklist does.
"""

from __future__ import annotations

import re
from typing import Optional

from ..data.quebec import in_quebec
from .base import Context, Rule, both, phrases, when

N = "privacy"
T = "templates/partials/quebec.md.j2"
quebec = when(in_quebec, "not a Quebec clinic (jurisdiction.region is not QC and there is no quebec block)")


def _person(ctx: Context) -> list[str]:
    pc, c = ctx.clinic.privacy_contact, ctx.clinic
    if pc is None:
        return ["no person in charge of the protection of personal information (privacy_contact)"]
    out = [] if pc.title else ["no title for the person in charge (privacy_contact.title)"]
    if not (pc.email or pc.phone or c.contact.email or c.contact.phone):
        out.append("no contact details for the person in charge (privacy_contact.email or .phone)")
    return out


def _block(ctx: Context) -> list[str]:
    return [] if ctx.clinic.quebec else ["no quebec block (quebec.collection_means, quebec.outside_quebec)"]


def _outside(ctx: Context) -> list[str]:
    qc = ctx.clinic.quebec
    if qc is None or qc.outside_quebec is None:
        return ["not stated whether information may be communicated outside Quebec (quebec.outside_quebec)"]
    return [] if qc.outside_quebec is False or "outside Quebec" in ctx.text(N) else [
        "the notice does not say information may be communicated outside Quebec"]


def _third_parties(ctx: Context) -> list[str]:
    c = ctx.clinic
    return [] if c.service_providers or c.disclosures else [
        "no third parties or categories of third parties (service_providers, disclosures)"]


def _tracking(ctx: Context) -> list[str]:
    from ..announcing.consent import opt_in

    tracking = [i for i in ctx.clinic.cookies.items if i.category != "strictly_necessary"]
    if not tracking:
        return []
    out = [] if opt_in(ctx.clinic) else ["the consent manager is not opt-in"]
    if ctx.clinic.cookies.consent_by_using_site:
        # The consent manager is opt-in in Quebec whatever this says, but the cookie notice would tell
        # visitors that using the site is agreement.
        out.append("the data says using the site is agreement to cookies (cookies.consent_by_using_site): "
                   "in Quebec such technology is off until the visitor turns it on; remove it")
    for notice, pattern in (("privacy", "off until you turn it on"), ("cookies", "off until you turn them on")):
        if pattern not in ctx.text(notice):
            out.append(f"the {notice} notice does not say such technology is off until the visitor turns it on")
    return out


_tracking.patterns = [("privacy", re.compile("off until you turn it on", re.I)),  # type: ignore[attr-defined]
                             ("cookies", re.compile("off until you turn them on", re.I))]


def _french(ctx: Context) -> list[str]:
    langs = ctx.clinic.languages
    if "fr" not in langs:
        return ["the notice is not available in French (languages)"]
    return [] if langs[0] == "fr" else ["French is not the first language (languages: list fr first)"]


def _r22(ctx: Context) -> list[str]:
    qc = ctx.clinic.quebec
    if qc is None or qc.r22_1 is None:
        return ["R-22.1 may govern this clinic's health records: say whether it does (quebec.r22_1)"]
    if qc.r22_1 and "health and social services information" not in ctx.text(N):
        return ["the notice does not name the Act respecting health and social services information"]
    return []


def _health(ctx: Context) -> Optional[str]:
    if not in_quebec(ctx.clinic):
        return "not a Quebec clinic"
    return None if ctx.clinic.collection.health.items else "the clinic states no health information collected"


RULES = [
    Rule("QC-01", N, "P-39.1 s. 3.1", "the title and contact details of the person in charge of the protection of personal information",
         "clinic.yaml: privacy_contact.title, privacy_contact.email or .phone; " + T,
         both(_person, phrases(N, r"person in charge of the protection of personal information")), quebec),
    Rule("QC-02", N, "P-39.1 s. 8.2", "a confidentiality policy in clear and simple terms, published on the website",
         T, phrases(N, r"Act respecting the protection of personal information in the private sector"), quebec),
    Rule("QC-03", N, "P-39.1 s. 8", "at collection: the purposes, the means of collection, the rights of access and rectification, "
         "and the right to withdraw consent", "clinic.yaml: quebec.collection_means, uses; " + T,
         both(_block, phrases(N, r"we collect your personal information", r"only for the purposes",
                              r"see the personal information we hold about you, and to have it corrected",
                              r"withdraw your consent")), quebec),
    Rule("QC-04", N, "P-39.1 s. 8", "the third parties or categories of third parties, and that information may go outside Quebec",
         "clinic.yaml: service_providers, quebec.outside_quebec; " + T, both(_third_parties, _outside), quebec),
    Rule("QC-05", N, "P-39.1 s. 8.1", "technology that identifies, locates or profiles: that it is used, how to turn it on, off by default",
         "clinic.yaml: cookies.items, cookies.consent_by_using_site; templates/partials/quebec.md.j2, "
         "templates/partials/quebec-cookies.md.j2",
         _tracking, quebec),
    Rule("QC-06", N, "P-39.1 s. 28.1, s. 27", "the rights to de-indexation and to data portability",
         T, phrases(N, r"de-index", r"structured and commonly used technological format"), quebec),
    Rule("QC-07", N, "P-39.1 s. 42 ff.", "complaints to the Commission d'accès à l'information",
         T, phrases(N, r"Commission d'accès à l'information"), quebec),
    Rule("QC-08", N, "Charter of the French language (CQLR c. C-11)", "the notice is available in French, and French comes first",
         "clinic.yaml: languages (fr first)", _french, quebec),
    Rule("QC-R22", N, "CQLR c. R-22.1 (in force July 1, 2024)",
         "the Act respecting health and social services information may govern a private clinic's health records",
         "clinic.yaml: quebec.r22_1", _r22, _health, severity="warning"),
]
