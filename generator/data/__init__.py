"""The data: safe YAML with line numbers, loading and merging clinic and group files, the model and its vocabularies, the JSON Schema, and new clinic files."""
