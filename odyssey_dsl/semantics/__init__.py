"""Semantics: scopes and values, templates (Jinja2's sandbox), images."""
