"""Plain language: Flesch-Kincaid grade of each notice's body (checklist PL-01)."""

from __future__ import annotations

import functools
import re

import pyphen

from .base import WARNING, Context, Gap, Rule, Unstated, always
from .hipaa import HEADER
from .laws import canadian, canadian_law, federal_assistance, stated, us

TARGET = 8.0
SUMMARY_TARGET = 6.0
_PYPHEN = {"en": "en_US", "es": "es", "fr": "fr"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@functools.lru_cache(maxsize=4)
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_PYPHEN.get(lang, "en_US"))


def grade(text: str, lang: str = "en") -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    text = re.sub(re.escape(HEADER), " ", text, flags=re.I)  # verbatim legal text is not ours to simplify
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(re.findall(r"[.!?]+(?=\s|$)", text)))
    hyph = _dictionary(lang)
    syllables = sum(max(1, len(hyph.positions(w.lower())) + 1) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59, 1)


def grades(ctx: Context) -> dict[str, float]:
    return {n: grade(t, ctx.clinic.languages[0]) for n, t in sorted(ctx.readable.items())}


def summary_grades(ctx: Context) -> dict[str, float]:
    return {n: grade(t, ctx.clinic.languages[0]) for n, t in sorted(ctx.summaries.items()) if t}


def _check(ctx: Context) -> list[str]:
    body = [f"the {n} notice reads at grade {g}, above {TARGET:g}" for n, g in grades(ctx).items() if g > TARGET]
    # The summary is written from the data (templates/partials/glance.md.j2): an empty one means the
    # data has nothing for it to say.
    missing = [Gap(f"the {n} notice has no 'at a glance' summary: the data gives it nothing to say",
                   *_GLANCE_KEYS.get(n, ("collection", "")))
               for n, t in sorted(ctx.summaries.items()) if not t]
    summary = [f"the {n} notice's 'at a glance' summary reads at grade {g}, above {SUMMARY_TARGET:g}"
               for n, g in summary_grades(ctx).items() if g > SUMMARY_TARGET]
    return body + missing + summary


# What each notice's summary is written from (templates/partials/glance.md.j2).
_GLANCE_KEYS = {"privacy": ("collection", "or uses, disclosures, service_providers, rights, contact.phone, contact.email"),
                "cookies": ("cookies.items", "or cookies.uses"), "hipaa": ("contact.phone", "or contact.email")}


def _plain_laws(ctx: Context) -> list[str]:
    c = ctx.clinic
    out = ["HIPAA 164.520(b)(1) plain language"] if c.publishes("hipaa") else []
    if us(c) and stated(c, "regimes.ccpa"):
        out.append("CCPA §7003")
    if canadian(c):
        out.append(canadian_law(c).sections["openness"])
    return out + ["health-literacy guidance (grade 6-8)"]


RULES = [
    Rule("PL-01", None, "HIPAA 164.520(b)(1) plain language; CCPA §7003; PIPEDA 4.8.1 (PIPA BC s.5, PIPA Alberta s.6, P-39.1 s.8.2); "
         "health-literacy guidance", f"Flesch-Kincaid grade at most {TARGET:g} for each notice's body and "
         f"{SUMMARY_TARGET:g} for its summary", "templates/*.md.j2: shorter sentences, everyday words", _check, always,
         WARNING, cites=_plain_laws, since=2),
]


def _taglines(ctx: Context) -> list[str]:
    from ..notices.render import (
        environment,  # each tagline's words are its own language's templates'
    )

    problems = []
    for code in ctx.clinic.language_assistance.languages:
        words = environment(ctx.templates_dir, code).globals["L"]["tagline"]
        for notice in ctx.texts:
            if notice != "cookies" and words not in ctx.text(notice):
                problems.append(f"the {notice} notice has no tagline in {code!r}")
    return problems


def _language_help(ctx: Context) -> list[str]:
    if ctx.clinic.language_assistance is None:
        return [Gap("the clinic receives federal financial assistance and names no languages of free language help",
                    "language_assistance", "languages: the languages its patients speak")]
    return _taglines(ctx)


def _language_applies(ctx: Context):
    c = ctx.clinic
    if not us(c):
        return None if c.language_assistance else "the clinic names no language assistance (language_assistance)"
    assisted = federal_assistance(c)
    if assisted is None and c.language_assistance is None:
        return Unstated("the data does not say whether the clinic receives federal financial assistance "
                        "(regimes.federal_financial_assistance), so whether Section 1557 requires language help is "
                        "not known", "regimes.federal_financial_assistance")
    if not assisted and c.language_assistance is None:
        return "optional: the clinic receives no federal financial assistance and names no language assistance"
    return None


def _language_laws(ctx: Context) -> list[str]:
    return ["Section 1557, 45 CFR 92.11"] if us(ctx.clinic) and federal_assistance(ctx.clinic) else []


_language_applies.condition = "required with federal financial assistance; otherwise when the clinic names languages"  # type: ignore[attr-defined]

RULES.append(Rule("LANG-01", None, "Section 1557, 45 CFR 92.11",
                  "a notice of free language help in each language the clinic names; required for a clinic that receives "
                  "federal financial assistance. Read (verify): a summary of the April 2024 final rule, which requires "
                  "providers receiving federal financial assistance (Medicare or Medicaid payments included) to give a "
                  "notice of available language assistance; 92.11(c)(5)'s own list, which names the notice of privacy "
                  "practices among the documents it must accompany, was not found to read: the rule asks for the "
                  "taglines in every notice but the cookie notice",
                  "templates/partials/taglines.md.j2, templates/<lang>/labels.yaml", _language_help, _language_applies,
                  cites=_language_laws, since=2))


def _brand_contrast(ctx: Context) -> list[str]:
    from ..site.colours import AA_TEXT, WHITE, contrast, link_colour

    colour = ctx.clinic.branding.primary_color
    ratio = contrast(colour, WHITE)
    if ratio >= AA_TEXT:
        return []
    return [Gap(f"the brand colour {colour} has a contrast of {ratio:.1f}:1 with white, under {AA_TEXT}:1, "
                f"so links and text use {link_colour(colour)} instead", "branding.primary_color",
                "choose a darker colour to see it used for text")]


def _access_laws(ctx: Context) -> list[str]:
    c = ctx.clinic
    return (["HHS Section 504 rule, 45 CFR 84.84"] if us(c) and federal_assistance(c) else []) + (
        ["CCPA §7003"] if us(c) and stated(c, "regimes.ccpa") else []) + ["WCAG 2.1 AA 1.4.3"]


RULES.append(Rule("A11Y-01", None, "WCAG 2.1 AA 1.4.3; HHS Section 504 rule, 45 CFR 84.84; CCPA §7003",
                  "the brand colour is dark enough to be used for text on white (4.5:1)",
                  "templates/assets (the theme)", _brand_contrast, always, WARNING, cites=_access_laws, since=2))

