"""HIPAA Notice of Privacy Practices, 45 CFR 164.520 (checklist: NPP-01 … NPP-16, NPP-R1, NPP-W1)."""

from __future__ import annotations

from .base import Context, Gap, Rule, both, phrases, when
from .laws import regime, stated

N = "hipaa"
T = "templates/hipaa.md.j2"
# Every US clinic publishes a Notice of Privacy Practices (see Clinic.notices), so every one is held to it.
covered = when(lambda c: "hipaa" in c.notices, "the clinic publishes no HIPAA notice (not a US clinic)",
               "the clinic publishes a HIPAA notice")
HEADER = ("THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION ABOUT YOU MAY BE USED AND DISCLOSED AND HOW YOU CAN "
          "GET ACCESS TO THIS INFORMATION. PLEASE REVIEW IT CAREFULLY.")


def _header(ctx: Context) -> list[str]:
    folded = " ".join(ctx.text(N).split()).lower()
    return [] if " ".join(HEADER.split()).lower() in folded else ["the required header is not in the notice"]


def _contact(ctx: Context) -> list[str]:
    c = ctx.clinic
    problems = []
    who = c.privacy_contact
    phone = (who.phone if who and who.phone else None) or c.contact.phone
    if who is None:
        problems.append(Gap("no contact person or office", "privacy_contact"))
    if phone is None:
        problems.append(Gap("no phone number for the contact person or office", "contact.phone", "or privacy_contact.phone"))
    elif phone not in ctx.text(N):
        problems.append(f"the phone number {phone} is not in the notice")
    return problems


def _effective(ctx: Context) -> list[str]:
    versions = ctx.versions.get(N, [])
    if not versions:
        return ["the notice has no effective date yet: publish it with `notices publish --effective`"]
    # A notice already in force before the clinic used this tool, recorded as its first version
    # (`notices import`), keeps its own earlier date: that date is real. No later version may.
    return [f"version {v.number} takes effect on {v.effective}, before it was published on {v.published}"
            for v in versions if v.effective < v.published and not (v.imported and v.number == 1)]


def _complaints(ctx: Context) -> list[str]:
    # (b)(1)(vi) asks how to complain to the clinic: a website address alone is no way to do it.
    c, who = ctx.clinic, ctx.clinic.privacy_contact
    ways = [x for x in ((who.phone, who.email) if who else ()) + (c.contact.phone, c.contact.email) if x]
    addresses = [a.street for a in ((who.address if who else None), c.contact.address) if a]
    if not ways and not addresses:
        return [Gap("no phone, email or postal address to complain to the clinic (a website address is not one)",
                    "contact.phone", "or contact.email, contact.address, privacy_contact.phone, .email, .address")]
    text = ctx.text(N)
    problems = phrases(N, r"complain", r"Department of Health and Human Services|HHS",
                       r"will not retaliate|not (punish|act) against you")(ctx)
    if not any(str(x) in text for x in ways + addresses):
        problems.append("the notice gives no phone, email or address to complain to the clinic")
    return problems


_complaints.patterns = phrases(N, r"complain", r"Department of Health and Human Services|HHS",  # type: ignore[attr-defined]
                               r"will not retaliate|not (punish|act) against you").patterns  # type: ignore[attr-defined]


def _revisions(ctx: Context) -> list[str]:
    out = []
    versions = ctx.versions.get(N, [])
    for prev, v in zip(versions, versions[1:]):
        if v.material and v.effective <= prev.effective:
            out.append(f"version {v.number} is a material change without a new, later effective date")
        if v.material and v.effective < v.published:
            out.append(f"version {v.number} takes effect before it was published")
    return out


def _publishes(c) -> bool:
    return "hipaa" in c.notices


NO_NPP = "the clinic publishes no HIPAA notice (not a US clinic)"
fundraises = regime("fundraising", "the clinic fundraises", _publishes, NO_NPP,
                    reason="the clinic does not fundraise (regimes.fundraising is false)")
# NPP-08 holds unless the data says the clinic holds no Part 2 records: not stated, it applies.
part2 = regime("part2_records", "the clinic holds Part 2 records", _publishes, NO_NPP, unless_false=True,
               reason="the clinic holds no Part 2 records (regimes.part2_records is false)")
part2_fundraising = regime("fundraising", "the clinic fundraises", _publishes, NO_NPP, reason=(
    "the clinic does not fundraise (regimes.fundraising is false)"), extra=(
    "regimes.part2_records", "the clinic holds no Part 2 records (regimes.part2_records is false)", "holds Part 2 records"))


def _directory(ctx: Context) -> list[str]:
    keeps = stated(ctx.clinic, "regimes.facility_directory")
    if keeps is None:
        return [Gap("the data does not say whether the clinic keeps a facility directory", "regimes.facility_directory")]
    return phrases(N, r"directory")(ctx) if keeps else []


PAGE_TEMPLATES = ("index", "notice", "version", "history", "changes", "in_force")


def _linked_from_every_page(ctx: Context) -> list[str]:
    # Every page template includes the footer, and the footer links each notice's stable address. One
    # set of page templates serves every language.
    pages = ctx.templates_dir / "pages"
    footer = (pages / "_footer.md.j2").read_text(encoding="utf-8") if (pages / "_footer.md.j2").is_file() else ""
    links_all = 'url(s.notice ~ "/index.md")'
    problems = [] if links_all in footer else ["the page footer does not link every notice"]
    for name in PAGE_TEMPLATES:
        path = pages / f"{name}.md.j2"
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if "pages/_footer.md.j2" not in text and links_all not in text:
            problems.append(f"pages/{name}.md.j2 does not include the footer that links every notice")
    return problems


RULES = [
    Rule("NPP-01", N, "45 CFR 164.520(b)(1)(i)", "the header 'THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION…' shown prominently",
         T, _header, covered),
    Rule("NPP-02", N, "45 CFR 164.520(b)(1)(ii)(A)", "treatment, payment and health care operations, each with an example",
         T, phrases(N, r"\btreat(ing|ment)\b(?=.{0,300}?for example)", r"\b(bill(ing)?|payment)\b(?=.{0,300}?for example)",
                    r"\brun(ning)? (our|the) (practice|clinic|office)\b(?=.{0,300}?for example)"), covered),
    Rule("NPP-03", N, "45 CFR 164.520(b)(1)(ii)(B), 164.510, 164.512",
         "every other use or sharing allowed without written permission",
         T, both(phrases(N, r"family|friends", r"disaster relief", r"law requires it|when (the )?law requires|required by law(?! to)",
                         r"public health", r"abuse|neglect|domestic violence", r"health oversight",
                         r"lawsuits?|legal disputes?", r"law enforcement", r"coroners?|medical examiners?|funeral directors?",
                         r"organ (and|or) tissue", r"\bresearch\b", r"serious threat", r"military|national security",
                         r"workers'? comp(ensation)?"), _directory), covered),
    Rule("NPP-04", N, "45 CFR 164.520(b)(1)(ii)(C)-(D)", "that stricter laws (such as 42 CFR part 2 and state law) can limit some uses",
         T, phrases(N, r"42 CFR part 2", r"state laws?[^.]*(strict|more protection|extra protection|limit)"), covered),
    Rule("NPP-05", N, "45 CFR 164.520(b)(1)(ii)(E), 164.508",
         "psychotherapy notes, marketing and sale need written permission; other uses too; permission can be taken back in writing",
         T, phrases(N, r"psychotherapy notes", r"marketing", r"sell|sale", r"written permission",
                    r"(take back|cancel|revoke|change your mind).{0,200}?in writing|in writing.{0,200}?(take back|cancel|revoke|change your mind)"), covered),
    Rule("NPP-07", N, "45 CFR 164.520(b)(1)(iii)(A)", "that the clinic may contact you to raise funds, and that you can opt out",
         T, phrases(N, r"rais(e|ing) (funds|money)|fundrais", r"not to contact you|opt out"),
         fundraises),
    Rule("NPP-08", N, "45 CFR 164.520(b)(1)(iii)(D)", "Part 2 records are not used against you in proceedings without your written consent or a court order",
         T, phrases(N, r"substance use disorder", r"court orders?", r"(case|proceedings?) against you"),
         part2),
    Rule("NPP-09", N, "45 CFR 164.520(b)(1)(iii)(E)", "with Part 2 records and fundraising, a clear chance to opt out first",
         T, phrases(N, r"substance use[^.]*(fundrais|rais(e|ing) (funds|money))|(fundrais|rais(e|ing) (funds|money))[^.]*substance use"),
         part2_fundraising),
    Rule("NPP-10a", N, "45 CFR 164.520(b)(1)(iv)(A), 164.522", "the right to ask for limits, and the out-of-pocket exception",
         T, phrases(N, r"limit what we use or share", r"(pay|paid) (the )?(full cost|in full)"), covered),
    Rule("NPP-10b", N, "45 CFR 164.520(b)(1)(iv)(B)", "the right to confidential communications",
         T, phrases(N, r"contact you in a (specific|certain) way|send mail to a different address|confidential communication"), covered),
    Rule("NPP-10c", N, "45 CFR 164.520(b)(1)(iv)(C)", "the right to see and get a copy of your record",
         T, phrases(N, r"(see|inspect)[^.]*(copy)|copy[^.]*(see|inspect)"), covered),
    Rule("NPP-10d", N, "45 CFR 164.520(b)(1)(iv)(D)", "the right to ask for a correction",
         T, phrases(N, r"correct"), covered),
    Rule("NPP-10e", N, "45 CFR 164.520(b)(1)(iv)(E)", "the right to a list of those we shared information with (accounting of disclosures)",
         T, phrases(N, r"list of (the times|those|who)[^.]*shared|accounting of disclosures"), covered),
    Rule("NPP-10f", N, "45 CFR 164.520(b)(1)(iv)(F)", "the right to a paper copy of this notice",
         T, phrases(N, r"paper copy of this notice"), covered),
    Rule("NPP-11", N, "45 CFR 164.520(b)(1)(v)(A)", "our duties: keep it private, give this notice, tell you after a breach",
         T, phrases(N, r"(law requires us|required by law) to (keep|protect)", r"breach", r"give you a copy of (it|this notice)"), covered),
    Rule("NPP-12", N, "45 CFR 164.520(b)(1)(v)(B)", "that we must follow the notice now in effect",
         T, phrases(N, r"follow the (duties|terms)[^.]*(this notice|notice)|must follow[^.]*notice"), covered),
    Rule("NPP-13", N, "45 CFR 164.520(b)(1)(v)(C)", "that we may change the notice for all information we hold, and how you get the new one",
         T, phrases(N, r"change the terms of this notice", r"all (the )?(health )?information we have about you",
                    r"new notice[^.]*(available|on (our|this) (web)?site|in our office)"), covered),
    Rule("NPP-14", N, "45 CFR 164.520(b)(1)(vi)",
         "how to complain to us (a phone, email or address to do it) and to HHS, and that we will not retaliate",
         T, _complaints, covered, since=2),
    Rule("NPP-15", N, "45 CFR 164.520(b)(1)(vii)", "the name or title and phone number of a contact person or office",
         T, _contact, covered),
    Rule("NPP-16", N, "45 CFR 164.520(b)(1)(viii)",
         "an effective date, not before the notice is published; a notice in force before this tool, recorded as the "
         "first version (`notices import`), keeps its own earlier date",
         "notices publish --effective", _effective, covered, since=2),
    Rule("NPP-R1", N, "45 CFR 164.520(b)(3)", "a material change gets a new notice with a new effective date, not before it",
         "clinics/<slug>/versions/hipaa", _revisions, covered),
    Rule("NPP-W1", N, "45 CFR 164.520(c)(3)(i)",
         "the notice is prominently posted on the clinic's website and available electronically from it, at a stable "
         "address. The rule asks for prominent posting; a link from every page of the notices site is our practice, "
         "and the clinic's own site gets a link snippet to place (embed/hipaa-link.html)",
         "templates/pages/*.md.j2: include pages/_footer.md.j2", _linked_from_every_page, covered, since=2),
]

