import re

from generator.publishing.diff import diff, to_markdown, to_text

OLD = """Intro line.

## Rights

- You can see your record.
- You can ask for a copy.

## Safety

We lock our doors.
"""
NEW = """Intro line.

## Rights

- You can see your record.
- You can ask for a paper copy.
- You can ask us to fix it.

## Contact

Call us.
"""


def test_sections_and_blocks_are_compared():
    sections = {s.heading: s for s in diff(OLD, NEW)}
    assert set(sections) == {"Rights", "Contact", "Safety"}
    assert sections["Contact"].status == "added" and sections["Safety"].status == "removed"
    ops = [(b.op, b.old, b.new) for b in sections["Rights"].blocks]
    assert ops == [("changed", "- You can ask for a copy.", "- You can ask for a paper copy."),
                   ("added", None, "- You can ask us to fix it.")]


def test_text_and_markdown_show_words_changed():
    text = to_text(diff(OLD, NEW))
    assert "{+paper +}" in text or "{+paper+}" in text
    assert "  - We lock our doors." in text
    labels = {"opening": "Opening", "section_added": "New", "section_removed": "Gone", "section_changed": "Changed",
              "added": "Added", "removed": "Removed", "changed": "Changed"}
    md = to_markdown(diff(OLD, NEW), labels)
    assert "<ins>paper </ins>" in md or "<ins>paper</ins>" in md
    assert "**Removed:**" in md and "We lock our doors." in md


def test_identical_texts_have_no_changes():
    assert diff(NEW, NEW) == []


def test_the_terminal_diff_shows_the_text_as_read_without_markdown():
    old = "## Your **rights**\n\nYou can ask for a copy\\. See <a href=\"https://x.org/\">our page</a>.\n\n- one\n- two\n"
    new = ("## Your **rights**\n\nYou can ask for a *paper* copy\\. See [our page](https://x.org/).\n\n- one\n- three\n"
           "\n## New\n\nA new section with a \\_literal\\_ underscore.\n")
    text = to_text(diff(old, new))
    assert "Section: Your rights  [changed]" in text and "Section: New  [added]" in text
    assert "• [-two-]{+three+}" in text and "{+page (https://x.org/).+}" in text
    assert "A new section with a _literal_ underscore." in text
    assert not re.search(r"\*\*|\\[.\\_*#-]|<a |\]\(|^#+ |^\s*[-+*] \S", text.replace("  + ", "").replace("  - ", ""), re.M)
