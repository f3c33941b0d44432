"""Where each notice stands: in force, scheduled, and whether today's data renders differently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..data.notice_kinds import not_chosen
from ..errors import NoticesError
from .diff import diff, rewrite, to_text

if TYPE_CHECKING:
    from ..site.prepared import Prepared


@dataclass(frozen=True)
class NoticeStatus:
    slug: str
    notice: str
    current: int | None
    current_effective: date | None
    scheduled: list[tuple[int, date]]
    latest: int | None
    unpublished_changes: bool


def statuses(prepared: list[Prepared]) -> list[NoticeStatus]:
    rows = []
    for p in prepared:
        for s in p.states:
            latest = s.versions[-1] if s.versions else None
            changed = (latest is None or latest.content != s.draft.markdown or latest.title != s.draft.title
                       or latest.translations != p.translations(s.notice))
            rows.append(NoticeStatus(
                p.loaded.slug, s.notice, s.current.number if s.current else None,
                s.current.effective if s.current else None,
                [(v.number, v.effective) for v in s.upcoming], latest.number if latest else None, changed))
    return rows


def draft_diff(p: Prepared, notice: str) -> str:
    """The unpublished changes of one notice against its newest version, as readable text: the first
    language, then each other language that changed (the same changes `statuses` counts)."""
    check_notice(p, notice)
    state = next(s for s in p.states if s.notice == notice)
    latest = state.versions[-1] if state.versions else None
    drafts = {p.loaded.clinic.languages[0]: state.draft.markdown,
              **{lang: d[notice].markdown for lang, d in sorted(p.translated.items())}}
    parts = []
    for lang, draft in drafts.items():
        published = latest.text_in(lang) if latest else None
        before = published[1] if published else ""
        if before != draft:
            # The clinic's own text shares no wording to pair with ours: all of it removed, all of ours added.
            compare = rewrite if latest is not None and latest.imported and published else diff
            text = to_text(compare(before, draft))
            parts.append(text if lang == p.loaded.clinic.languages[0] else f"# in {lang!r}\n{text}")
    return "\n".join(parts)


def check_notice(p: Prepared, notice: str) -> None:
    clinic = p.loaded.clinic
    if notice not in clinic.notices:
        raise NoticesError(not_chosen(p.loaded.slug, notice, clinic.notices, clinic.jurisdiction.country))
