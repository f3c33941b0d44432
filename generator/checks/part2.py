"""The notice of a Part 2 program, 42 CFR 2.22(b) as amended in 2024 (compliance date Feb 16, 2026;
checklist P2-01 … P2-07), combined with the Notice of Privacy Practices or on its own, as
`part2_program.notice` says.

What was read (checklist item *verify*): the text of 42 CFR 2.22 as amended, (a) and (b)(1)(i)-(ii)(B),
from a stored copy of the regulation (compliancecosmos.org, "§ 2.22 Notice to patients of Federal
confidentiality requirements"). (a): at admission the program tells the patient that federal law
protects the confidentiality of SUD patient records. (b): a plain-language notice of the program's legal
duties and privacy practices; (b)(1)(i) its header, word for word: "Notice of Privacy Practices of [Name
of Part 2 Program]", "This notice describes:" and three lines in capitals (how health information may be
used and disclosed; your rights with respect to your health information; how to file a complaint
concerning a violation of the privacy or security of your health information, or of your rights
concerning your information), then "YOU HAVE A RIGHT TO A COPY OF THIS NOTICE (IN PAPER OR ELECTRONIC
FORM) AND TO DISCUSS IT WITH [ENTER NAME OR TITLE] AT [PHONE AND EMAIL] IF YOU HAVE ANY QUESTIONS.";
(b)(1)(ii)(A) each purpose for which the program is permitted or required by part 2 to use or disclose
records without written consent, and (B) where other law is more stringent, the description reflects
it. The stored copy stops at (b)(1)(ii)(C): for (ii)(C) onwards (consent and its revocation, the
patient's rights, the program's duties, complaints, contact and effective date) the rules follow the
checklist's reading, which mirrors 45 CFR 164.520(b)(1)(iii)-(viii), and are not yet verified against
the regulation's own words.
"""

from __future__ import annotations

import re
from typing import Optional

from .base import Context, Rule

T = "templates/partials/part2.md.j2"
LINES = (
    "This notice describes:",
    "HOW HEALTH INFORMATION ABOUT YOU MAY BE USED AND DISCLOSED",
    "YOUR RIGHTS WITH RESPECT TO YOUR HEALTH INFORMATION",
    "HOW TO FILE A COMPLAINT CONCERNING A VIOLATION OF THE PRIVACY OR SECURITY OF YOUR HEALTH INFORMATION, "
    "OR OF YOUR RIGHTS CONCERNING YOUR INFORMATION",
    "YOU HAVE A RIGHT TO A COPY OF THIS NOTICE (IN PAPER OR ELECTRONIC FORM) AND TO DISCUSS IT WITH",
)


def notice_of(ctx: Context) -> str:
    """The notice that carries the Part 2 text: its own, or the NPP it is combined with."""
    p2 = ctx.clinic.part2_program
    return "part2" if p2 is not None and p2.notice == "separate" else "hipaa"


def program(ctx: Context) -> Optional[str]:
    if ctx.clinic.part2_program is None:
        return ("the clinic is not a Part 2 program (no part2_program block; regimes.part2_records alone asks "
                "for NPP-08, not for this notice)")
    return None


def _phrases(*patterns: str):
    compiled = [re.compile(p, re.I) for p in patterns]

    def check(ctx: Context) -> list[str]:
        n = notice_of(ctx)
        return [f"the {n} notice does not say it (looked for /{c.pattern}/)" for c in compiled if not c.search(ctx.text(n))]

    check.patterns = [("part2", c) for c in compiled]  # type: ignore[attr-defined]  # the separate form (fixture)
    return check


def _header(ctx: Context) -> list[str]:
    c, text = ctx.clinic, " ".join(ctx.text(notice_of(ctx)).split()).lower()
    name = c.part2_program.program_name or c.name
    out = [] if f"notice of privacy practices of {name}".lower() in text else [
        f"the header 'Notice of Privacy Practices of {name}' is not in the notice"]
    out += [f"the header line {line!r} is not in the notice" for line in LINES if " ".join(line.split()).lower() not in text]
    pc = c.privacy_contact
    phone = (pc.phone if pc else None) or c.contact.phone
    email = (pc.email if pc else None) or c.contact.email
    if pc is None or not (pc.name or pc.title or pc.role):
        out.append("no person or title to discuss the notice with (privacy_contact)")
    if phone is None:
        out.append("no phone number to discuss the notice (privacy_contact.phone or contact.phone)")
    if email is None:
        out.append("no email address to discuss the notice (privacy_contact.email or contact.email)")
    return out


def _contact_and_date(ctx: Context) -> list[str]:
    c, out = ctx.clinic, []
    phone = (c.privacy_contact.phone if c.privacy_contact else None) or c.contact.phone
    if c.privacy_contact is None:
        out.append("no contact person or office (privacy_contact)")
    if phone is None:
        out.append("no phone number for the contact (privacy_contact.phone or contact.phone)")
    elif phone not in ctx.text(notice_of(ctx)):
        out.append(f"the phone number {phone} is not in the notice")
    versions = ctx.versions.get(notice_of(ctx), [])
    if not versions:
        out.append("the notice has no effective date yet: publish it with `notices publish --effective`")
    out += [f"version {v.number} takes effect on {v.effective}, before it was published on {v.published}"
            for v in versions if v.effective < v.published and not v.imported]
    return out


def _both(*checks):
    def check(ctx: Context) -> list[str]:
        return [m for c in checks for m in c(ctx)]

    check.patterns = [p for c in checks for p in getattr(c, "patterns", [])]  # type: ignore[attr-defined]
    return check


def _fundraising(ctx: Context) -> list[str]:
    if not ctx.clinic.regimes.fundraising:
        return []
    return [] if re.search(r"raise funds, we will give you a clear chance to say no", ctx.text(notice_of(ctx)), re.I) else [
        "the clinic fundraises (regimes.fundraising) and the notice does not offer the choice to say no first"]


RULES = [
    Rule("P2-01", "part2", "42 CFR 2.22(b)(1)(i)",
         "the header 'Notice of Privacy Practices of [program]', its three 'this notice describes' lines, and the "
         "right to a copy and to discuss it with a named person or title at a phone and email",
         "clinic.yaml: part2_program.program_name, privacy_contact (name or title, phone, email); " + T,
         _both(_header, _phrases(r"notice of privacy practices of", r"this notice describes",
                                 r"discuss it with")), program),
    Rule("P2-02", "part2", "42 CFR 2.22(b)(1)(ii)(A)-(B)",
         "each purpose for which records may be used or disclosed without written consent, as the stricter law allows",
         T, _phrases(r"without your written consent only", r"medical emergency", r"research, audits and program evaluation",
                     r"child abuse or neglect", r"crime on our premises", r"court orders it", r"stricter law",
                     r"case against you unless you give us written consent"), program),
    Rule("P2-03", "part2", "42 CFR 2.22(b)(1)(ii)-(iii)",
         "that other uses need written consent, and that consent can be revoked",
         T, _both(_fundraising, _phrases(r"other use or sharing of your records needs your written consent",
                                         r"revoke your consent")), program),
    Rule("P2-04", "part2", "42 CFR 2.22(b)(1)(iv)", "the patient's rights, each with how to use it",
         "clinic.yaml: requests.channels; " + T,
         _both(lambda ctx: [] if ctx.clinic.requests.channels else ["no way to ask (requests.channels)"],
               _phrases(r"see and copy your records", r"limit what we share", r"contact you in a certain way",
                        r"list of disclosures", r"get a copy of this notice", r"to use a right, contact")), program),
    Rule("P2-05", "part2", "42 CFR 2.22(b)(1)(v)",
         "the program's duties (privacy, this notice, breach notification) and that it follows the notice in effect",
         T, _phrases(r"keep your records private", r"breach", r"follow the terms of the notice that is in effect"), program),
    Rule("P2-06", "part2", "42 CFR 2.22(b)(1)(vi)", "complaints to the program and to the Secretary, and no retaliation",
         T, _phrases(r"you can complain to", r"Secretary of the United States Department of Health and Human Services",
                     r"not retaliate"), program),
    Rule("P2-07", "part2", "42 CFR 2.22(b)(1)(vii)-(viii)", "a contact person or office with a phone number, and an effective date",
         "clinic.yaml: privacy_contact, privacy_contact.phone or contact.phone; notices publish --effective",
         _contact_and_date, program),
]
