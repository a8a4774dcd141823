"""Diagnostics as SARIF 2.1.0 (`--format sarif`), for code-scanning tools such as GitHub's.

One run whose `tool.driver.rules` is the catalogue (summary and fix, and a link to the code's
section of `docs/diagnostics.md` when the project declares where it is published, see
`diagnostics.docs`); one result per diagnostic, its `ruleId` the code. Regions
are 1-based lines and columns counted in Unicode code points (`columnKind`), the end column
exclusive, as everywhere in odyc. Artifact URIs are relative to the working directory
(`%SRCROOT%`), and each result has a `partialFingerprints` entry that does not change when
lines are added above it, so a code-scanning service recognises the same finding from one
commit to the next. Findings silenced by `# odyc: ignore[...]` can be included with a
`suppressions` entry of kind `inSource`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.diagnostics.catalogue import CATALOGUE, Diagnostic
from odyssey_dsl.diagnostics.docs import help_uri, information_uri

if TYPE_CHECKING:
    from odyssey_dsl.diagnostics.suppression import SuppressedDiagnostic
    from odyssey_dsl.syntax.text import SourceFile, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT = "odycLineHash/v1"
"""The name of odyc's fingerprint: hash of code, file and the reported line's text."""

_RULE_INDEX = {code: index for index, code in enumerate(CATALOGUE)}


class CheckedFile(NamedTuple):
    """What SARIF needs of one checked scene."""

    source: SourceFile | None
    diagnostics: Sequence[Diagnostic]
    suppressed: Sequence[SuppressedDiagnostic] = ()


def render_sarif(files: Sequence[CheckedFile], *, working_directory: Path) -> str:
    """The SARIF log of `files` (pass `suppressed` only to report silenced findings)."""
    results: list[dict[str, Any]] = []
    for checked in files:
        seen: dict[str, int] = {}
        found: list[tuple[Diagnostic, Span | None]] = [(d, None) for d in checked.diagnostics]
        found += [(s.diagnostic, s.comment) for s in checked.suppressed]
        found.sort(key=lambda pair: pair[0].sort_key())
        for diagnostic, comment in found:
            uri = artifact_uri(diagnostic.file, working_directory)
            results.append(
                _result(
                    diagnostic,
                    uri,
                    checked.source,
                    comment,
                    _fingerprint(diagnostic, uri, checked.source, seen),
                )
            )
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver()},
                "originalUriBaseIds": {
                    SOURCE_ROOT: {"uri": working_directory.absolute().as_uri() + "/"}
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def artifact_uri(file: str, working_directory: Path) -> dict[str, str]:
    """The `artifactLocation` of a scene: relative to the working directory (`%SRCROOT%`)
    when it lies inside it, otherwise an absolute `file:` URI. Standard input (`<stdin>`)
    keeps its name."""
    if file.startswith("<"):
        return {"uri": quote(file, safe="")}
    root = Path(os.path.normpath(working_directory.absolute()))
    path = Path(os.path.normpath(root / file))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SOURCE_ROOT}


def _driver() -> dict[str, Any]:
    rules = []
    for code in CATALOGUE.values():
        rule: dict[str, Any] = {
            "id": code.code,
            "name": code.name,
            "shortDescription": {"text": code.summary},
            "fullDescription": {"text": f"{code.summary} Fix: {code.fix}"},
            "help": {
                "text": f"{code.summary}\nFix: {code.fix}",
                "markdown": f"{code.summary}\n\n**Fix:** {code.fix}",
            },
            "defaultConfiguration": {"level": code.severity.value},
        }
        uri = help_uri(code.code)
        if uri is not None:  # only an address the project declares (diagnostics.docs)
            rule["helpUri"] = uri
        rules.append(rule)
    driver: dict[str, Any] = {"name": "odyc", "version": __version__, "rules": rules}
    home = information_uri()
    if home is not None:
        driver["informationUri"] = home
    return driver


def _result(
    diagnostic: Diagnostic,
    uri: dict[str, str],
    source: SourceFile | None,
    comment: Span | None,
    fingerprint: str,
) -> dict[str, Any]:
    message = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    result: dict[str, Any] = {
        "ruleId": diagnostic.code.code,
        "ruleIndex": _RULE_INDEX[diagnostic.code.code],
        "level": diagnostic.severity.value,
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(uri, diagnostic.span)}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if comment is not None:
        result["suppressions"] = [
            {"kind": "inSource", "location": {"physicalLocation": _physical(uri, comment)}}
        ]
    return result


def _physical(uri: dict[str, str], span: Span) -> dict[str, Any]:
    return {
        "artifactLocation": uri,
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        },
    }


def _fingerprint(
    diagnostic: Diagnostic, uri: dict[str, str], source: SourceFile | None, seen: dict[str, int]
) -> str:
    """A hash of the code, the file and the reported line's text (not its number), with
    `:N` telling apart the N-th identical finding of the file."""
    line = source.line_text(diagnostic.span.line).strip() if source is not None else ""
    key = "\0".join((diagnostic.code.code, uri["uri"], line))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"
