"""The JSON Schema in the repo matches the model, and the example clinics validate against it."""

import json
from pathlib import Path

import jsonschema
import yaml

from generator.data.schema import SCHEMA_PATH, schema_text

REPO = Path(__file__).resolve().parent.parent


def test_schema_file_is_up_to_date():
    assert (REPO / SCHEMA_PATH).read_text(encoding="utf-8") == schema_text(), "run `notices schema`"


def test_examples_reference_and_satisfy_the_schema():
    schema = json.loads(schema_text())
    for path in sorted((REPO / "clinics").glob("*/clinic.yaml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../../schema/clinic.schema.json"), path
        jsonschema.validate(yaml.safe_load(text), schema)


def test_schema_refuses_unknown_keys():
    schema = json.loads(schema_text())
    bad = {"name": "X", "practice": "medical_spa", "jurisdiction": {"country": "US", "region": "CO"}, "nmae": "typo"}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "nmae" in exc.message
    else:
        raise AssertionError("an unknown key passed the schema")
