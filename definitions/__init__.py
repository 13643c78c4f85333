"""Definitions are data: form schemas, program rules and document templates, with their loader."""
