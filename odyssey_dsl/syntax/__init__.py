"""Syntax: source text and spans, literals, durations, the grammar's parser and syntax errors."""
