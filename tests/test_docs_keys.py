"""Every key of clinic.yaml that docs/ (and the README) name exists in the data model: a newcomer who
follows the docs is never refused a key they were told to write."""

from __future__ import annotations

import re

import yaml

from generator.data.vocab_keys import all_keys, vocab_keys
from tests.conftest import REPO

DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
KEYS = set(all_keys())
TOP = {k.split(".")[0] for k in KEYS}
VALUES = {v for vk in vocab_keys() for v in vk.values}
FILE = re.compile(r"\.(toml|ya?ml|json|md|xml|css|js|html|csv|svg|png|jpe?g|webp|txt|pdf|eml|jsonl)$")


def _path(token: str) -> str:
    """`cookies.items[].category: x` → cookies.items.category (list levels, indices, `+` and values left out)."""
    token = token.split(":")[0].strip().rstrip("+")
    return ".".join(p for p in re.sub(r"\[[^\]]*\]", "", token).split(".") if p and not p.isdigit())


def named_paths(text: str) -> set[str]:
    """Dotted key paths in backticks whose first key is one of clinic.yaml's (not file names)."""
    found = set()
    for token in re.findall(r"`([^`\n]+)`", text):
        path = _path(token)
        if FILE.search(path):
            continue
        if "." in path and path.split(".")[0] in TOP and re.fullmatch(r"[a-z_$][a-z0-9_.]*", path):
            found.add(path)
    return found


def yaml_paths(text: str) -> set[str]:
    """Key paths of every ```yaml block that is a piece of a clinic file (its keys are clinic.yaml's)."""
    found = set()
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        try:
            data = yaml.safe_load(block)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict) or not set(data) & TOP:
            continue

        def walk(value, prefix):
            if isinstance(value, dict):
                for k, v in value.items():
                    path = f"{prefix}{str(k).rstrip('+')}"
                    found.add(path)
                    walk(v, path + ".")
            elif isinstance(value, list):
                for v in value:
                    walk(v, prefix)

        walk(data, "")
    return found


def table_paths(text: str) -> set[str]:
    """docs/data-model.md's table of sections: each row's keys, and each key it names under them (a
    backticked word that is not a vocabulary value) as a key at some depth below the row's keys."""
    found = set()
    for row in re.findall(r"^\| (`[^|]+`) \| (.*) \|$", text, re.M):
        tops = re.findall(r"`([^`]+)`", row[0])
        found |= set(tops)
        for word in re.findall(r"`([a-z_]+)`", row[1]):
            if word in VALUES:
                continue
            under = [k for k in KEYS if k.split(".")[0] in tops and k.split(".")[-1] == word]
            found.add(under[0] if under else f"{'|'.join(tops)}.…{word}")
    return found


def test_every_key_the_docs_name_is_in_the_model():
    missing = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for path in sorted(named_paths(text) | yaml_paths(text)):
            if path not in KEYS and path.split(".")[0] in TOP:
                missing.append(f"{doc.relative_to(REPO)}: {path}")
    text = (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")
    sections = text.split("\n## Sections\n", 1)[1].split("\n## ", 1)[0]
    missing += [f"docs/data-model.md (table): {p}" for p in sorted(table_paths(sections)) if p not in KEYS]
    assert missing == []


def test_the_check_finds_a_key_the_model_refuses():
    # The case of the issue: docs/data-model.md named regimes.state_rights_on_request.
    row = "| `regimes` | which laws apply: `hipaa_covered_entity`, `state_rights_on_request` |\n"
    assert "regimes.…state_rights_on_request" in table_paths(row)
    assert table_paths(row) - KEYS == {"regimes.…state_rights_on_request"}
    assert named_paths("set `regimes.state_rights_on_request: true`") == {"regimes.state_rights_on_request"}
    assert "regimes.state_rights_on_request" not in KEYS
    assert yaml_paths("```yaml\nregimes:\n  nope: true\n```\n") == {"regimes", "regimes.nope"}
