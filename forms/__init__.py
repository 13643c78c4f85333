"""JSON Schema forms as WTForms classes: build, prefill, validate, show (DESIGN.md section 3)."""

from forms.builder import SchemaForm, form_class
from forms.display import readable
from forms.submit import validated_payload

__all__ = ["SchemaForm", "form_class", "readable", "validated_payload"]
