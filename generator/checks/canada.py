"""Canada: the openness items of PIPEDA Schedule 1, or of PIPA BC, PIPA Alberta or Quebec's P-39.1 where
the provincial law replaces it, and Ontario PHIPA s.16 (checklist PIPEDA-01 … 07, PHIPA-01 … 04).

The items keep their checklist IDs in every province; a finding cites the law that applies to the clinic
(generator/checks/laws.py), never PIPEDA for a Quebec, British Columbia or Alberta clinic.
"""

from __future__ import annotations

from .base import Context, Gap, Rule, both, gap, needing, phrase_for, phrases, when
from .laws import PIPEDA, canadian, canadian_law, regime

N = "privacy"
T = "templates/privacy-ca.md.j2"
canada = when(canadian, "not a Canadian clinic", "a Canadian clinic")
custodian = regime("phipa_custodian", "PHIPA (an Ontario health information custodian)",
                   lambda c: canadian(c) and c.jurisdiction.region == "ON", "not an Ontario clinic",
                   reason="not an Ontario health information custodian (regimes.phipa_custodian is false)")


def _cites(rule_id: str):
    return lambda ctx: [canadian_law(ctx.clinic).sections[rule_id]]


def _citation(rule_id: str) -> str:
    from .laws import P39_1, PIPA_AB, PIPA_BC

    return (f"{PIPEDA.sections[rule_id]} (British Columbia: {PIPA_BC.sections[rule_id]}; Alberta: {PIPA_AB.sections[rule_id]}; "
            f"Quebec: {P39_1.sections[rule_id]})")


def _accountable(ctx: Context) -> list[str]:
    c = ctx.clinic
    out = []
    if c.privacy_contact is None:
        out.append(Gap("no accountable person", "privacy_contact"))
    address = (c.privacy_contact.address if c.privacy_contact and c.privacy_contact.address else None) or c.contact.address
    if address is None:
        out.append(Gap("no address for the accountable person", "contact.address", "or privacy_contact.address"))
    elif (address.street or address.city) not in ctx.text(N):
        out.append("the address is not in the notice")
    return out


def _reachable(c) -> bool:
    who = c.privacy_contact
    ways = [x for x in ((who.phone, who.email, who.address) if who else ()) if x]
    ways += [x for x in (c.contact.phone, c.contact.email, c.contact.address) if x]
    return bool(ways)


def _regulator(ctx: Context) -> str:
    return canadian_law(ctx.clinic).regulator_name.replace(" ", r"\s+")


def _rule(rule_id: str, requires: str, fix: str, check, applies=canada, since: int = 1) -> Rule:
    return Rule(rule_id, N, _citation(rule_id), requires, fix, check, applies, cites=_cites(rule_id), since=since)


RULES = [
    _rule("PIPEDA-01", "the name or title and address of the person accountable, who takes complaints",
          T, _accountable, since=2),
    _rule("PIPEDA-02", "how to get access to your information",
          T, needing(phrases(N, r"(see|access)[^.]*(record|information)"),
                     ("collection", lambda c: bool(c.collection.personal.items or c.collection.health.items),
                      "no kinds of information")), since=2),
    _rule("PIPEDA-03", "the kinds of information held and how they are used",
          T, needing(phrases(N, r"information we collect|what we collect"),
                     ("collection", lambda c: bool(c.collection.personal.items or c.collection.health.items),
                      "no kinds of information")), since=2),
    _rule("PIPEDA-04", "the purposes, identified at or before collection",
          T, gap(lambda c: bool(c.uses.care or c.uses.operations), "no purposes", "uses"), since=2),
    _rule("PIPEDA-05", "consent: implied and express, and how to withdraw it",
          T, phrases(N, r"implied", r"express", r"withdraw"), since=2),
    _rule("PIPEDA-06", "what is shared with related organizations",
          T, lambda ctx: [f"{o.name} is not named in the privacy notice" for o in ctx.clinic.related_organizations
                          if o.name not in ctx.text(N)],
          when(lambda c: canadian(c) and bool(c.related_organizations),
               "the clinic names no related organizations (related_organizations)", "the clinic names related organizations"),
          since=2),
    _rule("PIPEDA-07", "how to challenge our compliance (complaints), and the commissioner who takes complaints",
          T, both(gap(lambda c: bool(c.complaints.steps), "no complaint steps", "complaints.steps"),
                  phrase_for(N, _regulator)), since=2),
    Rule("PHIPA-01", N, "PHIPA s.16(1)(a)", "a general description of our information practices",
         T, needing(phrases(N, r"how we (collect|keep|protect)|safeguards?"),
                    ("safeguards.measures", lambda c: bool(c.safeguards.measures), "no safeguards named"),
                    ("retention.basis", lambda c: bool(c.retention.basis), "no reason for keeping records named")),
         custodian, since=2),
    Rule("PHIPA-02", N, "PHIPA s.16(1)(b)", "how to reach the contact person", T,
         gap(_reachable, "no phone, email or address to reach the contact person", "contact.phone",
             "or contact.email, contact.address, privacy_contact.phone, .email, .address"), custodian),
    Rule("PHIPA-03", N, "PHIPA s.16(1)(c)", "how to get access to, or ask to correct, your record",
         T, phrases(N, r"correct"), custodian),
    Rule("PHIPA-04", N, "PHIPA s.16(1)(d)", "how to complain to us and to the Information and Privacy Commissioner of Ontario",
         T, phrases(N, r"Information and Privacy Commissioner of Ontario"), custodian),
]
