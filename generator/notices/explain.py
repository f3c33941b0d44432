"""`notices explain`: a notice sentence by sentence, each with its sources, resolved.

A fact is shown with the file and line of its value (or "not stated" when the clinic's files do not
hold it: a template bug, since an unstated fact is never said); a law with its checklist ID and
citation; a setting with its key and value's place. The citations come from the caller (the compliance
rules), so that this stage does not depend on the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from ..data.load import LoadedClinic, Project
from ..data.yamlsafe import KeyPath
from .render import Rendered, explain_notice
from .sources import Sentence, Source


@dataclass(frozen=True)
class Resolved:
    kind: str
    key: str
    where: Optional[str]  # file:line of a fact or setting's value
    stated: bool  # a fact or setting the clinic's files hold; a law the checklist has
    citation: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "key": self.key, "stated": self.stated}
        if self.where:
            out["where"] = self.where
        if self.citation:
            out["citation"] = self.citation
        return out


@dataclass(frozen=True)
class Explained:
    notice: str
    lang: str
    title: str
    sentences: list[tuple[Sentence, list[Resolved]]]

    def as_dict(self) -> dict[str, Any]:
        return {"notice": self.notice, "lang": self.lang, "title": self.title,
                "sentences": [{"line": s.line, "text": s.text, "markdown": s.markdown,
                               "sources": [r.as_dict() for r in res]} for s, res in self.sentences]}


def key_path(key: str) -> KeyPath:
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def resolve(loaded: LoadedClinic, source: Source, laws: Mapping[str, str]) -> Resolved:
    if source.kind == "law":
        citation = laws.get(source.key)
        return Resolved("law", source.key, None, citation is not None, citation)
    path = key_path(source.key)
    loc = loaded.locations.get(path)
    if loc is None:
        # A setting left out has its default, which is still the clinic's setting; a fact left out is
        # not stated, and nothing may be said of it.
        return Resolved(source.kind, source.key, "default" if source.kind == "setting" else None,
                        source.kind == "setting")
    return Resolved(source.kind, source.key, f"{loc.file}:{loc.line}", True)


def explain(project: Project, loaded: LoadedClinic, notice: str, laws: Mapping[str, str],
            lang: str | None = None) -> Explained:
    rendered, sentences = explain_notice(project, loaded, notice, lang)
    return _explained(rendered, sentences, loaded, laws)


def _explained(rendered: Rendered, sentences: list[Sentence], loaded: LoadedClinic,
               laws: Mapping[str, str]) -> Explained:
    return Explained(rendered.notice, rendered.lang, rendered.title,
                     [(s, [resolve(loaded, src, laws) for src in s.sources]) for s in sentences])


def to_text(items: list[Explained]) -> str:
    lines: list[str] = []
    for item in items:
        lines.append(f"# {item.title} ({item.notice}, {item.lang})")
        for sentence, resolved in item.sentences:
            lines.append(f"{sentence.line:4}  {sentence.text}")
            if not resolved:
                lines.append("        ! no source")
            for r in resolved:
                lines.append("        " + _describe(r))
        lines.append("")
    return "\n".join(lines)


def _describe(r: Resolved) -> str:
    if r.kind == "law":
        return f"law      {r.key}: {r.citation}" if r.stated else f"law      {r.key}: ! not a checklist ID"
    where = r.where if r.stated else "! not stated in the clinic's files"
    return f"{r.kind:<8} {r.key} ({where})"


def unsourced(items: list[Explained]) -> list[str]:
    """Sentences that have no source, or a source that does not hold: what the tests refuse."""
    bad = []
    for item in items:
        for sentence, resolved in item.sentences:
            if not resolved:
                bad.append(f"{item.notice}:{sentence.line}: no source: {sentence.text}")
            bad += [f"{item.notice}:{sentence.line}: {_describe(r)}: {sentence.text}" for r in resolved if not r.stated]
    return bad
