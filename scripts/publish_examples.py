"""Publish the example clinics' versions: `python -m scripts.publish_examples` (run once, then commit).

- The three real clinics get version 1 of each notice, effective on the day it is run.
- The fictional Harbourview Family Clinic gets a history, replayed from dated edits of its data so that
  every version is a real rendering: v1 (material), a technical typo fix, a material change, and a
  material change scheduled for the future.

It refuses to touch a clinic that already has versions: published versions are never rewritten.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from generator.data.load import LoadedClinic, Project, load_clinics
from generator.data.model import Clinic
from generator.notices.render import render_notice
from generator.publishing.versions import load_versions
from generator.publishing.writing import publish

ROOT = Path(__file__).resolve().parent.parent
APPROVER = "clinic-notices maintainers (example data)"
FICTIONAL = "harbourview-family-clinic"
REAL_GAPS = ("A real clinic modelled from its published notice: what that notice does not say is left out, "
             "and `notices check` reports it, rather than filled with invented facts.")


def _with(loaded: LoadedClinic, **changes: object) -> LoadedClinic:
    data = loaded.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return LoadedClinic(loaded.slug, Clinic.model_validate(data), loaded.files, {})


def _publish_all(project: Project, loaded: LoadedClinic, notices: list[str], *, today: date,
                 effective: date | None, summary: str, technical: bool = False,
                 allow_findings: str | None = None) -> None:
    for notice in notices:
        existing = load_versions(project, loaded.slug, [notice])[notice]
        r = render_notice(project, loaded, notice)
        translations = tuple((lang, (t := render_notice(project, loaded, notice, lang)).title, t.markdown)
                             for lang in loaded.clinic.languages[1:])
        if existing and existing[-1].content == r.markdown and existing[-1].translations == translations:
            continue  # this edit does not change this notice's text
        only_translated = bool(existing) and existing[-1].content == r.markdown
        v = publish(project, loaded.slug, existing, notice, r.lang, r.title, r.markdown,
                    effective=None if only_translated else effective, translations=translations,
                    today=today, summary="Now also in Spanish." if only_translated else summary,
                    approved_by=APPROVER, technical=technical or only_translated,
                    allow_findings=allow_findings)
        print(f"{loaded.slug} {notice} v{v.number} effective {v.effective} ({v.kind})")


def main(today: date) -> None:
    project = Project(ROOT)
    for loaded in load_clinics(project):
        if any(load_versions(project, loaded.slug, loaded.clinic.notices).values()):
            print(f"{loaded.slug}: has versions already, left alone", file=sys.stderr)
            continue
        notices = loaded.clinic.notices
        if loaded.slug != FICTIONAL:
            _publish_all(project, loaded, notices, today=today, effective=today,
                         summary="First version published with clinic-notices.",
                         allow_findings=REAL_GAPS)
            continue
        providers = [p.model_dump(exclude_unset=True, mode="json") for p in loaded.clinic.service_providers]
        first = _with(loaded, languages=loaded.clinic.languages[:1], legal_name="Harbourview Family Clinc Example LLC",
                      service_providers=providers[:1], retention__minimum_years_after_last_treatment=7)
        _publish_all(project, first, notices, today=date(2025, 1, 6), effective=date(2025, 1, 15),
                     summary="First version of our notices.")
        fixed = _with(first, legal_name=loaded.clinic.legal_name)
        _publish_all(project, fixed, ["privacy", "hipaa"], today=date(2025, 4, 2), effective=None, technical=True,
                     summary="Fixed a spelling mistake in our legal name.")
        paying = _with(fixed, service_providers=providers)
        _publish_all(project, paying, ["privacy", "hipaa"], today=date(2025, 8, 4), effective=date(2025, 9, 1),
                     summary="We now use Example Pay to take card payments.")
        _publish_all(project, loaded, notices, today=today, effective=date(2027, 1, 15),
                     summary="We now keep medical records for 10 years after your last visit, not 7; "
                             "our notices are now also in Spanish.")


if __name__ == "__main__":
    main(date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else date.today())
