"""`notices vocab [KEY]`: the values a key of clinic.yaml takes, with their words in every language."""

from __future__ import annotations

import difflib
import json

import click

from ..errors import NoticesError
from .common import _errors_to_exit, _project, _say, main, root_option


@main.command()
@click.argument("key", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@root_option
@_errors_to_exit
def vocab(key: str | None, fmt: str, root: str | None) -> None:
    """The allowed values of KEY (a key of clinic.yaml, like practice or disclosures.why, or a
    vocabulary's name, like recipient), each with its words in every language the templates ship.
    Without KEY: every key that takes set values, and how many."""
    from ..data import vocab_keys as vk

    project = _project(root)
    langs = [lang for lang in vk.SHIPPED_LANGUAGES if (project.templates_dir / lang / "labels.yaml").is_file()]
    if not langs:
        raise NoticesError(f"{project.rel(project.templates_dir)} has no labels.yaml for any language "
                           f"({', '.join(vk.SHIPPED_LANGUAGES)}): run from the project folder, or pass --root")
    labels = {lang: vk.labels(project.templates_dir, lang) for lang in langs}
    if key is None:
        found = list(vk.vocab_keys())
    else:
        found = vk.find(key)
        if not found:
            raise NoticesError(_unknown(key, vk))

    def entry(k: "vk.VocabKey") -> dict:
        words = {lang: vk.words(labels[lang], k) for lang in langs}
        return {"key": k.key, "vocabulary": vk.section(labels[langs[0]], k),
                "values": [{"value": v, "words": {lang: words[lang].get(v) for lang in langs}} for v in k.values]}

    items = [entry(k) for k in found]
    if fmt == "json":
        _say(json.dumps(items, indent=2, ensure_ascii=False))  # a list, even of one key: the same shape always
        return
    if key is None:
        for item in items:
            _say(f"{item['key']}: {len(item['values'])} values"
                 + (f" ({item['vocabulary']})" if item["vocabulary"] else ""))
        _say("`notices vocab KEY` lists a key's values with their words in " + ", ".join(langs) + ".")
        return
    for item in items:
        _say(f"{item['key']}" + (f" ({item['vocabulary']})" if item["vocabulary"] else "") + ":")
        width = max(len(v["value"]) for v in item["values"])
        for v in item["values"]:
            first, *rest = langs
            _say(f"  {v['value'].ljust(width)}  {first}: {v['words'][first] or '(no words)'}")
            for lang in rest:
                _say(f"  {'':{width}}  {lang}: {v['words'][lang] or '(no words)'}")


def _unknown(key: str, vk) -> str:  # type: ignore[no-untyped-def]
    path = ".".join(p for p in key.strip().split(".") if p and not p.isdigit())
    if path in vk.all_keys():
        return (f"{key!r} takes the clinic's own text or a number, not a set of values; `notices vocab` lists "
                "the keys that do")
    known = list(dict.fromkeys([k.key for k in vk.vocab_keys()] + [k.vocabulary for k in vk.vocab_keys() if k.vocabulary]))
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return (f"{key!r} is not a key of clinic.yaml that takes set values, nor a vocabulary's name; {hint}"
            "`notices vocab` lists them all")
