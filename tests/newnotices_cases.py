"""The new notices of checklist version 2 (consumer health data, Part 2 programs, Quebec): their complete
fictional fixtures and, for each rule that reads data rather than a phrase, the change that fires it.
tests/test_compliance.py runs these with the other rules; tests/test_newnotices.py adds the rest.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path

# The complete fictional clinics are example clinics too (clinics/), so that they build into sites.
EXAMPLES = Path(__file__).resolve().parent.parent / "clinics"
SLUGS = {"wa": "cascade-glow-med-spa", "p2": "riverbend-recovery-center", "qc": "clinique-test-du-plateau"}
FIXTURES = {key: EXAMPLES / slug / "clinic.yaml" for key, slug in SLUGS.items()}
TODAY = date(2026, 11, 22)


def with_data(ctx, **changes):
    """The clinic with some data changed (keys joined by __), its notices rendered again from it."""
    from generator.checks.base import plain_text, readable_text
    from generator.data.load import LoadedClinic, Project
    from generator.data.model import Clinic
    from generator.notices.render import render_notice

    data = ctx.clinic.model_dump(by_alias=True, exclude_unset=True, mode="json")
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {}) if not part.isdigit() else node[int(part)]
        node[last] = value
    broken = copy.copy(ctx)
    broken.clinic = Clinic.model_validate(data)
    project = Project(ctx.templates_dir.parent)
    loaded = LoadedClinic(ctx.slug, broken.clinic, (), {})
    drafts = {n: render_notice(project, loaded, n, "en").markdown for n in broken.clinic.notices}
    broken.texts = {n: plain_text(md) for n, md in drafts.items()}
    broken.readable = {n: readable_text(md) for n, md in drafts.items()}
    return broken


def without_text(ctx, notice, old):
    broken = copy.copy(ctx)
    broken.texts = {**ctx.texts, notice: ctx.texts[notice].replace(old, "")}
    return broken


def _no_versions(ctx, notice):
    broken = copy.copy(ctx)
    broken.versions = {**ctx.versions, notice: []}
    return broken


def _early(ctx, notice):
    v1 = ctx.versions[notice][0]
    broken = copy.copy(ctx)
    broken.versions = {**ctx.versions, notice: [replace(v1, effective=date(2026, 1, 1))]}
    return broken


DATA_CASES = {
    "CHD-01": ("wa", lambda c: _drop_notice(c, "chd")),
    "CHD-02": ("wa", lambda c: with_data(c, clinic_website=None)),
    "CHD-03": ("wa", lambda c: without_text(c, "chd", "Photos of you")),
    "CHD-04": ("wa", lambda c: without_text(c, "chd", "We get consumer health data from")),
    "CHD-05": ("wa", lambda c: with_data(c, consumer_health__collects=[
        {"category": "photos", "purposes": ["plan_your_treatment"]}], consumer_health__affiliates=[])),
    "CHD-06": ("wa", lambda c: without_text(c, "chd", "Cascade Glow Skin Lab")),
    "CHD-07": ("wa", lambda c: without_text(c, "chd", "you can appeal")),
    "CHD-09": ("wa", lambda c: without_text(c, "chd", "Connecticut, consumer health data is sensitive data")),
    "P2-01": ("p2", lambda c: with_data(c, privacy_contact={"role": "privacy_officer", "name": "Alex Example",
                                                            "phone": "(555) 010-0199"}, contact__email=None)),
    "P2-03": ("p2", lambda c: without_text(c, "part2", "raise funds, we will give you a clear chance to say no")),
    "P2-04": ("p2", lambda c: with_data(c, requests__channels=[])),
    "P2-07": ("p2", lambda c: _no_versions(c, "part2")),
    "QC-01": ("qc", lambda c: with_data(c, privacy_contact={"role": "privacy_officer", "name": "Camille Exemple"})),
    "QC-03": ("qc", lambda c: with_data(c, quebec=None)),
    "QC-04": ("qc", lambda c: with_data(c, quebec__outside_quebec=None)),
    "QC-05": ("qc", lambda c: without_text(c, "cookies", "off until you turn them on")),
    "QC-08": ("qc", lambda c: with_data(c, languages=["en", "fr"])),
    "QC-R22": ("qc", lambda c: with_data(c, quebec__r22_1=None)),
}
# Removing a fact that several rules need fires each of them.
DATA_OVERLAP = {
    "CHD-01": {"CHD-03", "CHD-04", "CHD-05", "CHD-06", "CHD-07", "CHD-08", "CHD-09"},  # no policy, no text
    "CHD-05": {"CHD-06"},  # nothing shared: no third parties either
    "QC-03": {"QC-04", "QC-R22"},  # without the quebec block nothing is stated of transfers or
    "P2-01": set(),
    "P2-04": {"CA-09"},  # the fixture is also under the CCPA, which asks how to submit requests
}


def _drop_notice(ctx, notice):
    broken = copy.copy(ctx)
    broken.texts = {n: t for n, t in ctx.texts.items() if n != notice}
    return broken
