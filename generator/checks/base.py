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

    def text(self, notice: str) -> str:
        return self.texts.get(notice, "")


class Gap(str):
    """A finding's message whose cause is the clinic's data: `key` is the data key to fill in or change
    (dotted as in error messages), so the finding's fix names it instead of a template."""

    key: str
    how: str

    def __new__(cls, message: str, key: str, how: str = "") -> "Gap":
        gap = super().__new__(cls, message)
        gap.key, gap.how = key, how
        return gap

    @property
    def fix(self) -> str:
        return f"clinic.yaml: {self.key}" + (f" ({self.how})" if self.how else "")


class Unstated(str):
    """Why a rule was not run: its condition rests on a fact the data does not state (None: neither yes
    nor no). Not a silent skip: the check reports it as a warning naming `key`."""

    key: str

    def __new__(cls, reason: str, key: str) -> "Unstated":
        unstated = super().__new__(cls, reason)
        unstated.key = key
        return unstated


Applies = Callable[[Context], Optional[str]]  # None when the rule applies, else why it does not
Check = Callable[[Context], list[str]]  # what is missing; empty when satisfied
Cites = Callable[[Context], list[str]]  # the laws among a rule's that apply to this clinic
BEST_PRACTICE = "best practice (no law that applies to this clinic requires it)"


@dataclass(frozen=True)
class Rule:
    id: str
    notice: Optional[str]
    citation: str  # every law the rule can rest on, for --list-rules and SARIF
    requires: str
    fix: str  # the template to correct when the data is complete and the text lacks the element
    check: Check
    applies: Applies
    severity: str = ERROR
    # When set: the laws that apply to this clinic, which a finding cites instead of `citation`. None
    # apply: the finding cites best practice, and an error becomes a warning (no law makes it one).
    cites: Optional[Cites] = None
    condition: str = ""  # the checklist's "applies" column; empty: from `applies`, else "always"
    since: int = 1  # the checklist version that added the rule or last changed what it asks

    def citation_for(self, ctx: Context) -> str:
        if self.cites is None:
            return self.citation
        return "; ".join(self.cites(ctx)) or BEST_PRACTICE

    def severity_for(self, ctx: Context) -> str:
        if self.cites is not None and not self.cites(ctx):
            return WARNING
        return self.severity

    def fix_for(self, message: str) -> str:
        return message.fix if isinstance(message, Gap) else self.fix

    @property
    def applies_when(self) -> str:
        return self.condition or getattr(self.applies, "condition", "") or "always"


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


def when(predicate: Callable[[Clinic], bool], reason: str, condition: str = "") -> Applies:
    def applies(ctx: Context) -> Optional[str]:
        return None if predicate(ctx.clinic) else reason

    applies.condition = condition or f"not when {reason}"  # type: ignore[attr-defined]
    return applies


def gap(predicate: Callable[[Clinic], bool], message: str, key: str, how: str = "") -> Check:
    """A check on the data alone: when `predicate` fails, a finding naming the key to fill in."""
    return lambda ctx: [] if predicate(ctx.clinic) else [Gap(message, key, how)]


def needing(check: Check, *needs: tuple[str, Callable[[Clinic], bool], str]) -> Check:
    """`check` on the text, run only once the data it is written from is there: each need is
    (key, predicate, what is missing). A missing fact is reported naming its key, not as a template gap."""

    def run(ctx: Context) -> list[str]:
        missing = [Gap(f"{what} ({key})", key) for key, predicate, what in needs if not predicate(ctx.clinic)]
        return missing or check(ctx)

    run.patterns = getattr(check, "patterns", [])  # type: ignore[attr-defined]
    run.patterns_for = getattr(check, "patterns_for", None)  # type: ignore[attr-defined]
    return run


def phrases(notice: str, *patterns: str) -> Check:
    """Every pattern (a regular expression, case-insensitive) must occur in the notice's text."""
    compiled = [re.compile(p, re.I) for p in patterns]

    def check(ctx: Context) -> list[str]:
        text = ctx.text(notice)
        return [f"the {notice} notice does not say it (looked for /{c.pattern}/)" for c in compiled if not c.search(text)]

    check.patterns = [(notice, c) for c in compiled]  # type: ignore[attr-defined]
    return check


def phrase_for(notice: str, pattern: Callable[[Context], str]) -> Check:
    """A phrase that depends on the clinic (the regulator of its province, say)."""

    def check(ctx: Context) -> list[str]:
        compiled = re.compile(pattern(ctx), re.I)
        return [] if compiled.search(ctx.text(notice)) else [
            f"the {notice} notice does not say it (looked for /{compiled.pattern}/)"]

    check.patterns_for = lambda ctx: [(notice, re.compile(pattern(ctx), re.I))]  # type: ignore[attr-defined]
    return check


def both(*checks: Check) -> Check:
    def check(ctx: Context) -> list[str]:
        return [m for c in checks for m in c(ctx)]

    check.patterns = [p for c in checks for p in getattr(c, "patterns", [])]  # type: ignore[attr-defined]
    dynamic = [c.patterns_for for c in checks if getattr(c, "patterns_for", None)]  # type: ignore[attr-defined]
    if dynamic:
        check.patterns_for = lambda ctx: [p for d in dynamic for p in d(ctx)]  # type: ignore[attr-defined]
    return check


def patterns_of(rule: "Rule", ctx: Optional[Context] = None) -> list[tuple[str, re.Pattern[str]]]:
    """The phrases a rule looks for in the rendered text, for tests and for explaining findings."""
    found = list(getattr(rule.check, "patterns", []))
    dynamic = getattr(rule.check, "patterns_for", None)
    if dynamic is not None:
        found += dynamic(ctx) if ctx is not None else [("", re.compile(""))]
    return found
