"""`notices explain`: where every sentence of a notice comes from."""

from __future__ import annotations

import json
import sys

import click

from .common import _errors_to_exit, _project, _say, main, root_option


@main.command()
@click.argument("slug")
@click.argument("notice", required=False)
@click.option("--lang", default=None, help="A language the clinic lists (default: its first).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@click.option("--strict", is_flag=True, help="Exit 1 if a sentence has no source or a source that does not hold.")
@root_option
@_errors_to_exit
def explain(slug: str, notice: str | None, lang: str | None, fmt: str, strict: bool, root: str | None) -> None:
    """Print a clinic's notices (or one NOTICE) sentence by sentence, with the source of each.

    A source is a fact of the clinic (key path, file and line of the value), a statement the law
    requires (checklist ID and citation) or a behaviour of the site a setting turns on."""
    from ..checks import RULES
    from ..data.load import load_clinics
    from ..errors import NoticesError
    from ..notices import explain as explain_mod

    project = _project(root)
    loaded = load_clinics(project, [slug])[0]
    chosen = loaded.clinic.notices
    if notice is not None and notice not in chosen:
        raise NoticesError(f"{slug} publishes no {notice!r} notice; its notices are {', '.join(chosen)}")
    if lang is not None and lang not in loaded.clinic.languages:
        raise NoticesError(f"{slug} does not list the language {lang!r}; it lists {', '.join(loaded.clinic.languages)}")
    laws = {r.id: r.citation for r in RULES}
    items = [explain_mod.explain(project, loaded, n, laws, lang) for n in ([notice] if notice else chosen)]
    if fmt == "json":
        _say(json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False))
    else:
        _say(explain_mod.to_text(items), nl=False)
    if strict and explain_mod.unsourced(items):
        sys.exit(1)
