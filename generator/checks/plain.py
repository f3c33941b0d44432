"""Plain language: Flesch-Kincaid grade of each notice's body (checklist PL-01)."""

from __future__ import annotations

import functools
import re

import pyphen

from .base import WARNING, Context, Rule, always
from .hipaa import HEADER

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
    missing = [f"the {n} notice has no 'at a glance' summary" for n, t in sorted(ctx.summaries.items()) if not t]
    summary = [f"the {n} notice's 'at a glance' summary reads at grade {g}, above {SUMMARY_TARGET:g}"
               for n, g in summary_grades(ctx).items() if g > SUMMARY_TARGET]
    return body + missing + summary


RULES = [
    Rule("PL-01", None, "HIPAA 164.520(b)(1) plain language; CCPA §7003; PIPEDA 4.8.1",
         f"Flesch-Kincaid grade at most {TARGET:g} for each notice's body and {SUMMARY_TARGET:g} for its summary",
         "templates/*.md.j2: shorter sentences, everyday words", _check, always, WARNING),
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


RULES.append(Rule("LANG-01", None, "Section 1557, 45 CFR 92.11", "a notice of free language help in each language the clinic names",
                  "clinic.yaml: language_assistance; templates/partials/taglines.md.j2, templates/<lang>/labels.yaml", _taglines,
                  lambda ctx: None if ctx.clinic.language_assistance else "the clinic names no language assistance (language_assistance)"))


def _brand_contrast(ctx: Context) -> list[str]:
    from ..site.colours import AA_TEXT, WHITE, contrast, link_colour

    colour = ctx.clinic.branding.primary_color
    ratio = contrast(colour, WHITE)
    if ratio >= AA_TEXT:
        return []
    return [f"the brand colour {colour} has a contrast of {ratio:.1f}:1 with white, under {AA_TEXT}:1, "
            f"so links and text use {link_colour(colour)} instead; choose a darker colour to see it used for text"]


RULES.append(Rule("A11Y-01", None, "WCAG 2.1 AA 1.4.3; HHS Section 504 rule, 45 CFR 84.84",
                  "the brand colour is dark enough to be used for text on white (4.5:1)",
                  "clinic.yaml: branding.primary_color", _brand_contrast, always, WARNING))
