"""Canada: PIPEDA Schedule 1 and Ontario PHIPA s.16 (checklist PIPEDA-01 … 07, PHIPA-01 … 04)."""

from __future__ import annotations

from .base import Context, Rule, both, phrases, when

N = "privacy"
T = "templates/privacy-ca.md.j2"
canada = when(lambda c: c.jurisdiction.country == "CA", "not a Canadian clinic")
custodian = when(lambda c: c.jurisdiction.country == "CA" and c.regimes.phipa_custodian,
                 "not an Ontario health information custodian (regimes.phipa_custodian is false)")


def _accountable(ctx: Context) -> list[str]:
    c = ctx.clinic
    out = []
    if c.privacy_contact is None:
        out.append("no accountable person (privacy_contact)")
    address = (c.privacy_contact.address if c.privacy_contact and c.privacy_contact.address else None) or c.contact.address
    if address is None:
        out.append("no address for the accountable person (privacy_contact.address or contact.address)")
    elif (address.street or address.city) not in ctx.text(N):
        out.append("the address is not in the notice")
    return out


def _reach(ctx: Context) -> list[str]:
    c = ctx.clinic
    who = c.privacy_contact
    ways = [x for x in ((who.phone, who.email, who.address) if who else ()) if x]
    ways += [x for x in (c.contact.phone, c.contact.email, c.contact.address) if x]
    return [] if ways else ["no phone, email or address to reach the contact person (privacy_contact or contact)"]


def _data(predicate, message: str):
    return lambda ctx: [] if predicate(ctx.clinic) else [message]


RULES = [
    Rule("PIPEDA-01", N, "PIPEDA Sch. 1, 4.8.2(a)", "the name or title and address of the person accountable, who takes complaints",
         "clinic.yaml: privacy_contact, contact.address", _accountable, canada),
    Rule("PIPEDA-02", N, "PIPEDA Sch. 1, 4.8.2(b)", "how to get access to your information",
         T, phrases(N, r"(see|access)[^.]*(record|information)"), canada),
    Rule("PIPEDA-03", N, "PIPEDA Sch. 1, 4.8.2(c)", "the kinds of information held and how they are used",
         "clinic.yaml: collection; " + T,
         both(_data(lambda c: bool(c.collection.personal.items or c.collection.health.items), "no kinds of information (collection)"),
              phrases(N, r"information we collect|what we collect")), canada),
    Rule("PIPEDA-04", N, "PIPEDA Sch. 1, 4.2", "the purposes, identified at or before collection",
         "clinic.yaml: uses", _data(lambda c: bool(c.uses.care or c.uses.operations), "no purposes (uses)"), canada),
    Rule("PIPEDA-05", N, "PIPEDA Sch. 1, 4.3", "consent: implied and express, and how to withdraw it",
         T, phrases(N, r"implied", r"express", r"withdraw"), canada),
    Rule("PIPEDA-06", N, "PIPEDA Sch. 1, 4.8.2(e)", "what is shared with related organizations",
         "clinic.yaml: related_organizations; " + T,
         lambda ctx: [f"{o.name} is not named in the privacy notice" for o in ctx.clinic.related_organizations
                      if o.name not in ctx.text(N)],
         when(lambda c: c.jurisdiction.country == "CA" and bool(c.related_organizations),
              "the clinic names no related organizations (related_organizations)")),
    Rule("PIPEDA-07", N, "PIPEDA Sch. 1, 4.10", "how to challenge our compliance (complaints)",
         "clinic.yaml: complaints.steps; " + T,
         both(_data(lambda c: bool(c.complaints.steps), "no complaint steps (complaints.steps)"),
              phrases(N, r"Privacy Commissioner of Canada")), canada),
    Rule("PHIPA-01", N, "PHIPA s.16(1)(a)", "a general description of our information practices",
         T, phrases(N, r"how we (collect|keep|protect)|safeguards?"), custodian),
    Rule("PHIPA-02", N, "PHIPA s.16(1)(b)", "how to reach the contact person", "clinic.yaml: privacy_contact, contact", _reach, custodian),
    Rule("PHIPA-03", N, "PHIPA s.16(1)(c)", "how to get access to, or ask to correct, your record",
         T, phrases(N, r"correct"), custodian),
    Rule("PHIPA-04", N, "PHIPA s.16(1)(d)", "how to complain to us and to the Information and Privacy Commissioner of Ontario",
         T, phrases(N, r"Information and Privacy Commissioner of Ontario"), custodian),
]
