"""The JSON Schema of clinic.yaml, generated from the model and kept in the repo for editors."""

from __future__ import annotations

import json

from .model import Clinic

SCHEMA_PATH = "schema/clinic.schema.json"


def schema_text() -> str:
    schema = Clinic.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "clinic.schema.json", **schema}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
