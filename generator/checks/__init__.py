"""The compliance check: every rule of shared/compliance/checklist.md, by its ID, on data and rendered text.

`run` returns one `Result` per clinic: the findings, and for every rule whether it applied (and why
not, when it did not), so a report can show what was checked as well as what failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from ..data import notice_kinds
from ..data.fields import own_words
from ..data.load import Project
from ..notices.render import render_notice
from ..publishing.versions import in_force
from ..site.prepared import Prepared
from . import canada, cookies, hipaa, plain, site, us_privacy
from . import consumer_health, part2, quebec  # newnotices: checklist v2 CHD-*, P2-*, QC-*
from .base import (
    ERROR,
    WARNING,
    Context,
    Finding,
    Rule,
    Unstated,
    plain_text,
    readable_text,
    summary_text,
)

CHECKED_LANGUAGE = "en"
# The version of shared/compliance/checklist.md these rules implement; a published version records it.
CHECKLIST_VERSION = 2
RULES: list[Rule] = [*hipaa.RULES, *us_privacy.RULES, *canada.RULES, *cookies.RULES, *plain.RULES, *site.RULES]
RULES += [*consumer_health.RULES, *part2.RULES, *quebec.RULES]  # newnotices
SCAN_RULES: list[Rule] = [*cookies.SCAN_RULES]  # `notices scan`: the live website, not the data


@dataclass
class Result:
    slug: str
    file: str
    findings: list[Finding] = field(default_factory=list)
    checked: list[tuple[Rule, str | None]] = field(default_factory=list)  # (rule, why not applicable)
    grades: dict[str, float] = field(default_factory=dict)
    summary_grades: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the check did not look at, said plainly


def context(project: Project, p: Prepared, as_of: date) -> Context:
    drafts = p.drafts
    if p.loaded.clinic.languages[0] != CHECKED_LANGUAGE:
        # The rules look for the checklist's elements in English words; every language is rendered
        # from the same data and from templates kept line for line alike, so English stands for all.
        drafts = {n: render_notice(project, p.loaded, n, CHECKED_LANGUAGE) for n in p.loaded.clinic.notices}
    texts = {n: plain_text(d.markdown) for n, d in drafts.items()}
    readable = {n: readable_text(d.markdown) for n, d in drafts.items()}
    summaries = {n: summary_text(d.markdown) for n, d in drafts.items()}
    return Context(p.loaded.slug, p.loaded.clinic, texts, readable, summaries, p.versions, as_of,
                   project.rel(project.clinic_dir(p.loaded.slug) / "clinic.yaml"), project.templates_dir,
                   p.loaded.locations, p.loaded.clinic.holders())


def run_one(ctx: Context, rules: list[Rule] = RULES) -> Result:
    result = Result(ctx.slug, ctx.file, grades=plain.grades(ctx),
                    summary_grades=plain.summary_grades(ctx))
    for notice, versions in sorted(ctx.versions.items()):
        current = in_force(versions, ctx.as_of)
        if current is not None and current.imported:
            result.notes.append(
                f"{notice}: version {current.number}, in force, is the clinic's own text (imported): not checked; "
                "the check reads the text that `notices publish` would freeze")
    # A notice held by another (a combined one) is checked on the text and versions of its holder, and
    # its findings are the holder's: they stop that notice from being published.
    held = replace(ctx, versions={**ctx.versions, **{part: ctx.versions.get(h, []) for part, h in ctx.holders.items()}})
    result.notes += own_words_notes(ctx)
    unstated: dict[str, tuple[Unstated, list[Rule]]] = {}
    for rule in rules:
        reason = rule.applies(held)
        if reason is None and rule.notice and rule.notice in notice_kinds.KINDS and not ctx.clinic.publishes(rule.notice):
            reason = f"the clinic does not publish a {rule.notice} notice (see `notices` in clinic.yaml)"
        result.checked.append((rule, reason))
        if isinstance(reason, Unstated):
            unstated.setdefault(reason.key, (reason, []))[1].append(rule)
        if reason is not None:
            continue
        citation, severity = rule.citation_for(held), rule.severity_for(held)
        for message in rule.check(held):
            result.findings.append(Finding(rule.id, severity, ctx.slug, ctx.holders.get(rule.notice, rule.notice),
                                           citation, f"{rule.requires}: {message}", rule.fix_for(message)))
    # A rule whose condition rests on a fact the data does not state is not run, and not silently:
    # one warning per fact, naming the key and the rules that wait for it.
    for key, (reason, waiting) in unstated.items():
        ids = ", ".join(dict.fromkeys(r.id for r in waiting))
        result.findings.append(Finding(waiting[0].id, WARNING, ctx.slug, ctx.holders.get(waiting[0].notice, waiting[0].notice),
                                       waiting[0].citation, f"not checked: {reason}; rules waiting for it: {ids}",
                                       f"clinic.yaml: {key} (true or false)"))
    return result


def own_words_notes(ctx: Context) -> list[str]:
    """Items in the clinic's own words: no rule reads them, so a reviewer must (issue 18 item 3)."""
    notes = []
    for path, words in own_words(ctx.clinic):
        loc = ctx.locations.get(tuple(int(p) if p.isdigit() else p for p in path.split(".")))
        where = f"{loc.file}:{loc.line}: " if loc is not None else ""
        said = "; ".join(f"{lang}: {text!r}" for lang, text in words.items())
        notes.append(f"{where}{path} is in the clinic's own words ({said}): read it, no rule checks it")
    return notes


def run(project: Project, prepared: list[Prepared], as_of: date) -> list[Result]:
    return [run_one(context(project, p, as_of)) for p in prepared]


__all__ = ["CHECKLIST_VERSION", "ERROR", "WARNING", "RULES", "SCAN_RULES", "Finding", "Result", "Rule", "run", "run_one", "context"]
