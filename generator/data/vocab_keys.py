"""Which keys of clinic.yaml take a closed vocabulary, its values, and their words in each language.

For `notices new` (every allowed value of a key, with its English words, in the new clinic file),
`notices vocab [KEY]` (the values and their words in every shipped language) and the docs' test.
A key is dotted as in error messages, without list indices: `disclosures.why`, `collection.personal.items`.
The words of a value are its label in templates/<lang>/labels.yaml, under its vocabulary's name.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel

from .model import Clinic
from .vocab import VOCABULARIES, Language, vocabulary

SHIPPED_LANGUAGES: tuple[str, ...] = typing.get_args(Language)


@dataclass(frozen=True)
class VocabKey:
    key: str  # dotted key path, list levels left out
    values: tuple[str, ...]
    vocabulary: str | None  # its name in VOCABULARIES and labels.yaml, None if it has no words


def _unwrap(t: Any) -> Any:
    while True:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            t = typing.get_args(t)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in typing.get_args(t) if a is not type(None)]
            if len(rest) == 1:
                t = rest[0]
            else:
                return t
        else:
            return t


def literal_values(t: Any) -> tuple[str, ...]:
    """The values of a Literal, also inside Optional, Annotated and a `name | {item: …}` union."""
    t = _unwrap(t)
    if typing.get_origin(t) is Literal:
        return tuple(str(v) for v in typing.get_args(t))
    if typing.get_origin(t) in (Union, types.UnionType):
        for arg in typing.get_args(t):
            found = literal_values(arg)
            if found:
                return found
    return ()


def vocabulary_of(values: tuple[str, ...]) -> str | None:
    """The vocabulary with exactly these values (its name is the key of its words in labels.yaml)."""
    return next((name for name, _ in VOCABULARIES.items() if set(vocabulary(name)) == set(values)), None)


def _models_in(t: Any) -> list[type[BaseModel]]:
    t = _unwrap(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return [t]
    if typing.get_origin(t) is list:
        return _models_in(typing.get_args(t)[0])
    return [m for a in typing.get_args(t) if typing.get_origin(t) in (Union, types.UnionType) for m in _models_in(a)]


@functools.lru_cache(maxsize=1)
def _walk() -> tuple[tuple[str, ...], tuple[VocabKey, ...]]:
    keys: list[str] = []
    out: list[VocabKey] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            key = f"{prefix}{field.alias or name}"
            keys.append(key)
            t = _unwrap(field.annotation)
            item = _unwrap(typing.get_args(t)[0]) if typing.get_origin(t) is list else t
            values = literal_values(item)
            if values:
                out.append(VocabKey(key, values, vocabulary_of(values)))
            for sub in _models_in(item):
                walk(sub, key + ".")

    walk(Clinic, "")
    return tuple(dict.fromkeys(keys)), tuple(out)


def all_keys() -> tuple[str, ...]:
    """Every key path of clinic.yaml, dotted, list levels left out (`disclosures.why`)."""
    return _walk()[0]


def vocab_keys() -> tuple[VocabKey, ...]:
    """Every key of the model whose value (or each item of whose list) is a vocabulary value."""
    return _walk()[1]


def find(key: str) -> list[VocabKey]:
    """The keys `key` names: a key path (list indices allowed: `disclosures.0.why`), or a vocabulary's
    name (`recipient`), which names every key that takes it. Empty if it names none."""
    path = ".".join(p for p in key.strip().split(".") if p and not p.isdigit())
    by_path = [k for k in vocab_keys() if k.key == path]
    return by_path or [k for k in vocab_keys() if k.vocabulary == key.strip()]


def labels(templates_dir: Path, lang: str) -> dict[str, Any]:
    """The words of templates/<lang>/*.yaml merged, as the templates see them (our own files), or {}."""
    out: dict[str, Any] = {}
    for path in sorted((templates_dir / lang).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.update(data if isinstance(data, dict) else {})
    return out


def section(all_labels: dict[str, Any], vk: VocabKey) -> str | None:
    """The name of the labels' section that words `vk`'s values: its vocabulary's, else the one whose
    keys are exactly its values (a small vocabulary written inline in the model, like marketing.basis)."""
    if vk.vocabulary in all_labels:
        return vk.vocabulary
    return next((name for name, value in all_labels.items()
                 if isinstance(value, dict) and set(value) == set(vk.values)), None)


def words(all_labels: dict[str, Any], vk: VocabKey) -> dict[str, str]:
    """Each value's words in one language's labels ({} where it has none)."""
    found = all_labels.get(section(all_labels, vk) or "", {})
    return {v: str(found[v]) for v in vk.values if found.get(v) not in (None, "")}
