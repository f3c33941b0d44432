"""Every value of every vocabulary has words in every language we ship."""

from pathlib import Path

import pytest
import yaml

from generator.data.vocab import VOCABULARIES, vocabulary

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANGS = sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir() and (p / "labels.yaml").is_file())


@pytest.mark.parametrize("lang", LANGS)
def test_every_vocabulary_value_has_a_label(lang):
    labels = yaml.safe_load((TEMPLATES / lang / "labels.yaml").read_text(encoding="utf-8"))
    missing = [f"{kind}.{value}" for kind in VOCABULARIES for value in vocabulary(kind)
               if not str(labels.get(kind, {}).get(value, "")).strip()]
    assert missing == []


def test_english_exists():
    assert "en" in LANGS
