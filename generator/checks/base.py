"""What a compliance rule is, what it reads, and what it reports.

Rules read two things: the clinic's data, and the rendered text of each notice as a patient reads it
(Markdown turned into plain text). Reading the text means a template edit that drops a required
element is caught, not only a gap in the data.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Optional

import markdown

from ..data.model import Clinic
from ..publishing.versions import Version

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    clinic: str
    notice: Optional[str]
    citation: str
    message: str
    fix: str


@dataclass
class Context:
    slug: str
    clinic: Clinic
    texts: dict[str, str]  # notice → plain text, whitespace folded
    readable: dict[str, str]  # the same, each block ended as a sentence: what readability is scored on
    summaries: dict[str, str]  # each notice's "at a glance" layer, as readable text
    versions: dict[str, list[Version]]
    as_of: date
    file: str  # the clinic file, for locations in reports
    templates_dir: Path = Path("templates")
    locations: dict = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # a notice held by another: hipaa → combined

    def text(self, notice: str) -> str:
        return self.texts.get(notice, self.texts.get(self.holders.get(notice, ""), ""))


Applies = Callable[[Context], Optional[str]]  # None when the rule applies, else why it does not
Check = Callable[[Context], list[str]]  # what is missing; empty when satisfied


@dataclass(frozen=True)
class Rule:
    id: str
    notice: Optional[str]
    citation: str
    requires: str
    fix: str
    check: Check
    applies: Applies
    severity: str = ERROR


def plain_text(md: str) -> str:
    """What a patient reads: Markdown rendered, tags dropped, entities decoded, white space folded."""
    rendered = markdown.markdown(md, extensions=["tables", "attr_list", "md_in_html", "admonition"])
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    return " ".join(text.split())


def readable_text(md: str) -> str:
    """Plain text with every block (heading, list item, table cell) ended as a sentence, for readability."""
    rendered = markdown.markdown(md, extensions=["tables", "attr_list", "md_in_html", "admonition"])
    rendered = re.sub(r"</(li|h[1-6]|p|td|th|dt|dd)>", ". ", rendered)
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    text = re.sub(r"([.!?:;])\s*\.(\s|$)", r"\1\2", text)  # a block that already ends a sentence
    return " ".join(text.split())


def summary_text(md: str) -> str:
    """The "at a glance" layer of a notice (its section with the id at-a-glance), as readable text."""
    match = re.search(r"^##[^\n]*\{: #at-a-glance \}\n(.*?)(?=^## |\Z)", md, re.S | re.M)
    return readable_text(match.group(1)) if match else ""


def always(_: Context) -> Optional[str]:
    return None


def when(predicate: Callable[[Clinic], bool], reason: str) -> Applies:
    return lambda ctx: None if predicate(ctx.clinic) else reason


def phrases(notice: str, *patterns: str) -> Check:
    """Every pattern (a regular expression, case-insensitive) must occur in the notice's text."""
    compiled = [re.compile(p, re.I) for p in patterns]

    def check(ctx: Context) -> list[str]:
        text = ctx.text(notice)
        return [f"the {notice} notice does not say it (looked for /{c.pattern}/)" for c in compiled if not c.search(text)]

    check.patterns = [(notice, c) for c in compiled]  # type: ignore[attr-defined]
    return check


def both(*checks: Check) -> Check:
    def check(ctx: Context) -> list[str]:
        return [m for c in checks for m in c(ctx)]

    check.patterns = [p for c in checks for p in getattr(c, "patterns", [])]  # type: ignore[attr-defined]
    return check


def patterns_of(rule: "Rule") -> list[tuple[str, re.Pattern[str]]]:
    """The phrases a rule looks for in the rendered text, for tests and for explaining findings."""
    return list(getattr(rule.check, "patterns", []))
