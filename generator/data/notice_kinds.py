"""The kinds of notice a clinic can publish, in one registry: the name a clinic lists under `notices`
in clinic.yaml, its template, the label of its title, the notices whose rules and cross-references it
carries, and what the clinic's data must say for it to be chosen.

A new kind (say `chd` or `part2`) is one entry here, plus its template (templates/<name>.md.j2), its
title and noun in every language's labels.yaml (`notice_title`, `notice_noun`) and its check rules.
No file access here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class NoticeKind:
    key: str  # as listed under `notices` in clinic.yaml, and the notice's folder on the site
    words: str  # what it is, in a line of English (docs, new clinic files, `notices vocab notices`)
    template: str  # under templates/; {country} is the clinic's country in lower case
    title: str  # its key in labels.yaml's notice_title and notice_noun; {country} likewise
    holds: tuple[str, ...]  # the notices whose rules and cross-references it answers to
    countries: tuple[str, ...] = ("US", "CA")
    needs: Optional[str] = None  # a key of `regimes` that must be true for the clinic to choose it
    # When the clinic leaves `notices` out: always, us_only, never, or a fact of the clinic's data
    # (uses_cookies, consumer_health, part2_separate) that brings it.
    default: str = "always"
    needs_data: Optional[str] = None  # a fact of the data (as for `default`) the clinic needs to choose it

    def template_name(self, country: str) -> str:
        return self.template.format(country=country.lower())

    def title_key(self, country: str) -> str:
        return self.title.format(country=country.lower())


# In site order: a clinic's notices are always listed, built and linked in this order.
KINDS: dict[str, NoticeKind] = {k.key: k for k in (
    NoticeKind("privacy", "the privacy policy (US: website privacy policy; Canada: privacy statement)",
               "privacy-{country}.md.j2", "privacy_{country}", ("privacy",)),
    NoticeKind("combined", "one document holding the website privacy policy and the HIPAA Notice of Privacy "
               "Practices, on one page (US, HIPAA covered entities)",
               "combined.md.j2", "combined", ("hipaa", "privacy"), ("US",), "hipaa_covered_entity", "never"),
    NoticeKind("cookies", "the cookie notice: the cookies and trackers of the clinic's website",
               "cookies.md.j2", "cookies", ("cookies",), default="uses_cookies"),
    NoticeKind("hipaa", "the HIPAA Notice of Privacy Practices (US, HIPAA covered entities)",
               "hipaa.md.j2", "hipaa", ("hipaa",), ("US",), "hipaa_covered_entity", "us_only"),
    NoticeKind("chd", "the consumer health data privacy policy (Washington, Nevada, Connecticut consumers)",
               "chd.md.j2", "chd", ("chd",), ("US",), None, "consumer_health", "consumer_health"),
    NoticeKind("part2", "the notice of a Part 2 substance use disorder program (42 CFR 2.22), on its own page",
               "part2.md.j2", "part2", ("part2",), ("US",), None, "part2_separate", "part2_separate"),
)}
KEYS: tuple[str, ...] = tuple(KINDS)


def kind(key: str) -> NoticeKind:
    return KINDS[key]


def facts_of(clinic: Any) -> frozenset[str]:
    """The facts of a clinic's data that bring a notice: uses_cookies, consumer_health, part2_separate."""
    c = clinic.cookies
    uses_cookies = bool(c.uses or c.items or c.lifetimes or c.web_beacons.on_site or c.web_beacons.in_email
                        or any(getattr(e, "item", None) == "cookies" for e in clinic.collection.website.items))
    p2 = clinic.part2_program
    return frozenset(name for name, holds in (
        ("uses_cookies", uses_cookies), ("consumer_health", clinic.consumer_health is not None),
        ("part2_separate", p2 is not None and p2.notice == "separate")) if holds)


def default_notices(country: str, facts: set[str] | frozenset[str]) -> list[str]:
    """The notices of a clinic that leaves `notices` out: what every clinic had before it could choose,
    except that a cookie notice comes only with the cookies or trackers its data lists. (A US clinic
    gets its Notice of Privacy Practices by default, as before; choosing `hipaa` needs
    regimes.hipaa_covered_entity.)"""
    chosen = []
    for k in KINDS.values():
        if country not in k.countries:
            continue
        if k.default == "always" or (k.default == "us_only" and country == "US") or k.default in facts:
            chosen.append(k.key)
    return chosen


def in_site_order(keys: list[str]) -> list[str]:
    return [k for k in KEYS if k in keys]


def holders(keys: list[str]) -> dict[str, str]:
    """For each notice a chosen combined notice answers to, the notice that holds it (hipaa → combined)."""
    return {part: k for k in keys for part in KINDS[k].holds if part != k}


def clinic_holders(clinic: Any) -> dict[str, str]:
    """Each notice a clinic's notice holds (hipaa → combined; a Part 2 notice combined with the NPP → hipaa)."""
    held = holders(clinic.notices)
    p2 = clinic.part2_program
    if p2 is not None and p2.notice == "combined" and publishes(clinic.notices, "hipaa"):
        held["part2"] = held.get("hipaa", "hipaa")
    return held


def publishes(keys: list[str], part: str) -> bool:
    """Whether one of the chosen notices is, or holds, `part`."""
    return any(part in KINDS[k].holds for k in keys if k in KINDS)


_FACT_WORDS = {"uses_cookies": "lists cookies or trackers", "consumer_health": "has a `consumer_health` block",
               "part2_separate": "has `part2_program.notice: separate`"}


def choice_problems(chosen: list[str], country: str, regimes: Any,
                    facts: frozenset[str] = frozenset()) -> list[tuple[Optional[int], str]]:
    """What is wrong with a clinic's list of notices: (index of the item or None, message with its fix)."""
    out: list[tuple[Optional[int], str]] = []
    seen: dict[str, int] = {}
    for i, key in enumerate(chosen):
        if key in seen:
            out.append((i, f"{key!r} is listed twice (also as item {seen[key]}): list each notice once"))
            continue
        seen[key] = i
        k = KINDS[key]
        if country not in k.countries:
            out.append((i, f"{key!r} is for clinics in {', '.join(k.countries)} only, and this clinic is in "
                            f"{country}: remove it"))
        elif k.needs and not getattr(regimes, k.needs, False):
            out.append((i, f"{key!r} is for clinics with regimes.{k.needs}: true; set that if it applies to "
                            f"the clinic, or remove {key!r}"))
        elif k.needs_data and k.needs_data not in facts:
            out.append((i, f"{key!r} is for clinics whose data {_FACT_WORDS[k.needs_data]}: add that, or remove {key!r}"))
    for key, i in seen.items():
        for part in KINDS[key].holds:
            if part != key and part in seen:
                out.append((seen[part], f"{part!r} is already part of {key!r} (item {i}), which holds "
                                        f"{' and '.join(KINDS[key].holds)} on one page: list one or the other"))
    if not chosen:
        out.append((None, "lists no notice: list at least one (" + ", ".join(KEYS) + "), or leave the key out"))
    return out


def not_chosen(slug: str, notice: str, chosen: list[str], country: Optional[str] = None) -> str:
    """Why a command refuses `notice` for a clinic that does not publish it, and what to do."""
    if notice not in KINDS:
        return f"{notice!r} is not a kind of notice; the kinds are {', '.join(KEYS)}"
    where = (f"the `notices` list in clinics/{slug}/clinic.yaml, or without one the usual set, which has a "
             "cookie notice only when the data lists cookies or trackers")
    k = KINDS[notice]
    if country is not None and country not in k.countries:
        return f"{slug} does not publish a {notice!r} notice: {notice!r} is for clinics in {', '.join(k.countries)} only"
    held = [k for k in chosen if notice in KINDS[k].holds and k != notice]
    if held:
        return f"{slug} publishes its {notice!r} notice as part of {held[0]!r} ({where}): use {held[0]!r}"
    return (f"{slug} does not publish a {notice!r} notice: its notices are {', '.join(chosen) or 'none'} ({where}); "
            f"to publish one, add {notice!r} to `notices` in clinics/{slug}/clinic.yaml")
