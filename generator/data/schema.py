"""The JSON Schema of clinic.yaml, generated from the model and kept in the repo for editors."""

from __future__ import annotations

import json

from .model import Clinic

SCHEMA_PATH = "schema/clinic.schema.json"


def _allow_append_keys(node: dict) -> None:
    # `key+:` (append to the group's list) is valid wherever a list is: let editors accept it too.
    props = node.get("properties")
    if isinstance(props, dict):
        extra = {f"^{name}\\+$": spec for name, spec in props.items() if spec.get("type") == "array"}
        if extra:
            node["patternProperties"] = extra


def schema_text() -> str:
    schema = Clinic.model_json_schema(by_alias=True)
    _allow_append_keys(schema)
    for definition in schema.get("$defs", {}).values():
        _allow_append_keys(definition)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "clinic.schema.json", **schema}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
