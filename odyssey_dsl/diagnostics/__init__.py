"""Diagnostics: the catalogue of codes (`catalogue`), their rendering (`render`) and docs (`docs`).

Only the catalogue's data types and constructors are exported here; rendering loads on demand.
"""

from odyssey_dsl.diagnostics.catalogue import (
    CATALOGUE,
    Code,
    Diagnostic,
    Severity,
    code,
    make,
    promote_warnings,
    sort_diagnostics,
)

__all__ = [
    "CATALOGUE",
    "Code",
    "Diagnostic",
    "Severity",
    "code",
    "make",
    "promote_warnings",
    "sort_diagnostics",
]
