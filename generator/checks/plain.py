"""Plain language: Flesch-Kincaid grade of each notice's body (checklist PL-01)."""

from __future__ import annotations

import functools
import re

import pyphen

from .base import WARNING, Context, Rule, always
from .hipaa import HEADER

TARGET = 8.0
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


def _check(ctx: Context) -> list[str]:
    return [f"the {n} notice reads at grade {g}, above {TARGET:g}" for n, g in grades(ctx).items() if g > TARGET]


RULES = [
    Rule("PL-01", None, "HIPAA 164.520(b)(1) plain language; CCPA §7003; PIPEDA 4.8.1",
         f"Flesch-Kincaid grade of each notice's body at most {TARGET:g}",
         "templates/<lang>/*.md.j2: shorter sentences, everyday words", _check, always, WARNING),
]
