"""Where each notice stands: in force, scheduled, and whether today's data renders differently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .build import Prepared
from .diff import diff, to_text
from .errors import NoticesError


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
    """The unpublished changes of one notice, against its newest version, as readable text."""
    state = next((s for s in p.states if s.notice == notice), None)
    if state is None:
        raise NoticesError(f"{p.loaded.slug} has no {notice!r} notice; its notices are {', '.join(p.loaded.clinic.notices)}")
    latest = state.versions[-1] if state.versions else None
    if latest and latest.content == state.draft.markdown:
        return ""
    return to_text(diff(latest.content if latest else "", state.draft.markdown))


def check_notice(p: Prepared, notice: str) -> None:
    if notice not in p.loaded.clinic.notices:
        raise NoticesError(f"{p.loaded.slug} has no {notice!r} notice; its notices are {', '.join(p.loaded.clinic.notices)}")
