"""Compliance results → text (grouped by clinic), JSON, or SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

import json

from . import RULES, SCAN_RULES, Result
from .base import ERROR, Unstated


def to_text(results: list[Result]) -> str:
    lines = []
    for r in results:
        errors = sum(f.severity == ERROR for f in r.findings)
        warnings = len(r.findings) - errors
        lines.append(f"{r.slug} ({r.file}): {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
        for f in r.findings:
            where = f" [{f.notice}]" if f.notice else ""
            lines.append(f"  {f.severity:7} {f.rule}{where} {f.message}")
            lines.append(f"          rule: {f.citation}; fix: {f.fix}")
        lines += [f"  note    {note}" for note in r.notes]
        lines.append("  readability (Flesch-Kincaid grade): "
                     + ", ".join(f"{n} {g}" for n, g in r.grades.items())
                     + "; summaries: " + ", ".join(f"{n} {g}" for n, g in r.summary_grades.items()))
        lines.append("")
    return "\n".join(lines)


def to_json(results: list[Result]) -> str:
    from . import CHECKLIST_VERSION

    data = []
    for r in results:
        data.append({
            "clinic": r.slug,
            "checklist": CHECKLIST_VERSION,
            "file": r.file,
            "readability": r.grades,
            "summary_readability": r.summary_grades,
            "findings": [f.__dict__ for f in r.findings],
            **({"notes": r.notes} if r.notes else {}),
            "rules": [{"rule": rule.id, "notice": rule.notice, "citation": rule.citation,
                       "applies": reason is None, **({"not_applicable_because": str(reason)} if reason else {}),
                       **({"not_stated": reason.key} if isinstance(reason, Unstated) else {})}
                      for rule, reason in r.checked],
        })
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _rule_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for rule in [*RULES, *SCAN_RULES]:
        index.setdefault(rule.id, len(index))
    return index


def to_sarif(results: list[Result]) -> str:
    index = _rule_index()
    seen: dict[str, object] = {}
    for rule in [*RULES, *SCAN_RULES]:
        seen.setdefault(rule.id, {
            "id": rule.id, "name": rule.id.replace("-", "").replace(".", ""),
            "shortDescription": {"text": rule.requires},
            "fullDescription": {"text": f"{rule.requires} ({rule.citation})"},
            "help": {"text": f"Rule: {rule.citation}. Fix: {rule.fix}"},
            "defaultConfiguration": {"level": "error" if rule.severity == ERROR else "warning"},
        })
    sarif_results = []
    for r in results:
        for f in r.findings:
            sarif_results.append({
                "ruleId": f.rule, "ruleIndex": index[f.rule],
                "level": "error" if f.severity == ERROR else "warning",
                "message": {"text": f"{r.slug}{' ' + f.notice if f.notice else ''}: {f.message}. Fix: {f.fix}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.file},
                                                    "region": {"startLine": 1}}}],
            })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "clinic-notices",
                                      "rules": list(seen.values())}},
                  "results": sarif_results}],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def list_rules() -> str:
    """Every rule: ID, severity, notice, what it asks, citation, when it applies, checklist version."""
    from . import CHECKLIST_VERSION

    lines = [f"checklist version {CHECKLIST_VERSION} (shared/compliance/checklist.md)", ""]
    for r in [*RULES, *SCAN_RULES]:
        lines.append(f"{r.id:10} {r.severity:7} {r.notice or 'all':8} {r.requires}")
        lines.append(f"{'':10} citation: {r.citation}")
        lines.append(f"{'':10} applies: {r.applies_when}; checklist version {r.since}")
    return "\n".join(lines) + "\n"
