"""What changed between two renderings of a notice, section by section, as a reader sees it.

Both texts are our Markdown. They are split into sections at headings and into blocks (a paragraph,
a list item, a table row); blocks are matched in order, and a changed block is diffed word by word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+|^\s*\|")
_TOKEN = re.compile(r"<[^>]*>|[^\s<]+|\s+")


@dataclass
class Block:
    op: str  # "added", "removed", "changed"
    old: str | None
    new: str | None


@dataclass
class Section:
    heading: str
    status: str  # "added", "removed", "changed"
    blocks: list[Block] = field(default_factory=list)


def _sections(text: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    path: list[str] = []
    body: list[str] = []
    heading = ""

    def close() -> None:
        if body or heading:
            sections.append((heading, _blocks("\n".join(body))))

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            close()
            level = len(m.group(1))
            path = path[: max(level - 2, 0)] + [m.group(2)]
            heading = " › ".join(path)
            body = []
        else:
            body.append(line)
    close()
    return sections


def _blocks(text: str) -> list[str]:
    blocks: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(_ITEM.match(ln) or ln.startswith("  ") for ln in lines):
            current: list[str] = []
            for ln in lines:
                if _ITEM.match(ln) and current:
                    blocks.append("\n".join(current))
                    current = []
                current.append(ln)
            blocks.append("\n".join(current))
        else:
            blocks.append("\n".join(lines))
    return blocks


def diff(old: str, new: str) -> list[Section]:
    """Sections that differ, in the new text's order (removed ones where they stood)."""
    a, b = _sections(old), _sections(new)
    a_map = dict(a)
    b_names = {h for h, _ in b}
    out: list[Section] = []
    for heading, blocks in b:
        if heading not in a_map:
            out.append(Section(heading, "added", [Block("added", None, x) for x in blocks]))
            continue
        changes = _diff_blocks(a_map[heading], blocks)
        if changes:
            out.append(Section(heading, "changed", changes))
    for heading, blocks in a:
        if heading not in b_names:
            out.append(Section(heading, "removed", [Block("removed", x, None) for x in blocks]))
    return out


def rewrite(old: str, new: str) -> list[Section]:
    """Every section of `old` removed, then every section of `new` added: for texts that share no
    wording to match (a clinic's own notice and the first one written from its data), where pairing
    their paragraphs word by word would only mislead."""
    return diff(old, "") + diff("", new)


def _diff_blocks(old: list[str], new: list[str]) -> list[Block]:
    out: list[Block] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        if op == "replace":
            pairs = min(len(olds), len(news))
            out += [Block("changed", olds[k], news[k]) for k in range(pairs)]
            out += [Block("removed", x, None) for x in olds[pairs:]]
            out += [Block("added", None, x) for x in news[pairs:]]
        else:
            out += [Block("removed", x, None) for x in olds] + [Block("added", None, x) for x in news]
    return out


def _words(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            ops.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", "".join(b[j1:j2])))
    return ops


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)")


def readable(block: str) -> str:
    """A block of a notice as a patient reads it, for the terminal: no Markdown marks, escapes or tags;
    list items as bullets, a link as its text and address."""
    from ..notices.sources import plain

    return "\n".join(("• " if _BULLET.match(ln) else "") + plain(_EMPHASIS.sub(r"\1", _LINK.sub(r"\1 (\2)", ln)))
                     for ln in block.splitlines())


def to_text(sections: list[Section]) -> str:
    """For the terminal: `-` removed, `+` added, and changed blocks with [-old-]{+new+} inside; the text as
    read, without Markdown (each section's heading on a line of its own, with its status)."""
    lines: list[str] = []
    for s in sections:
        lines.append(f"Section: {readable(s.heading) if s.heading else '(opening)'}  [{s.status}]")
        for b in s.blocks:
            if b.op == "added":
                lines += ["  + " + ln for ln in readable(b.new or "").splitlines()]
            elif b.op == "removed":
                lines += ["  - " + ln for ln in readable(b.old or "").splitlines()]
            else:
                text = "".join(t if op == "=" else (f"[-{t}-]" if op == "-" else f"{{+{t}+}}")
                               for op, t in _words(readable(b.old or ""), readable(b.new or "")))
                lines += ["  ~ " + ln for ln in text.splitlines()]
        lines.append("")
    return "\n".join(lines)


def _strip_marker(block: str) -> str:
    return re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", block)


def to_markdown(sections: list[Section], labels: dict[str, str]) -> str:
    """For the what-changed page. Changes are named in words, never by colour alone."""
    out: list[str] = []
    for s in sections:
        out.append(f"### {s.heading or labels['opening']}\n")
        out.append(f"*{labels['section_' + s.status]}*\n")
        for b in s.blocks:
            if b.op == "changed":
                inline = "".join(t if op == "=" else (f"<del>{t}</del>" if op == "-" else f"<ins>{t}</ins>")
                                 for op, t in _words(_strip_marker(b.old or ""), _strip_marker(b.new or "")))
                out.append(f'<div class="diff-changed" markdown="1">\n\n**{labels["changed"]}:** {inline}\n\n</div>\n')
            else:
                css, text = ("diff-added", b.new) if b.op == "added" else ("diff-removed", b.old)
                out.append(f'<div class="{css}" markdown="1">\n\n**{labels[b.op]}:**\n\n{text}\n\n</div>\n')
    return "\n".join(out)
