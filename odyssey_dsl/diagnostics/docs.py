"""The diagnostics reference (`docs/diagnostics.md`), generated from the catalogue.

Regenerate with `python -m odyssey_dsl.diagnostics.docs > docs/diagnostics.md`; a test keeps the
checked-in file in step with the catalogue.
"""

from __future__ import annotations

from odyssey_dsl.diagnostics import CATALOGUE


def render_markdown() -> str:
    lines = [
        "# odyc diagnostics",
        "",
        "Every problem odyc reports has a stable code. Errors (`E`) stop the compile; warnings",
        "(`W`) do not, unless `--werror` is given. This page is generated from the catalogue in",
        "`odyssey_dsl/diagnostics/catalogue.py` (`python -m odyssey_dsl.diagnostics.docs`).",
        "",
        "| code | name | severity | what it means |",
        "| --- | --- | --- | --- |",
    ]
    for code in CATALOGUE.values():
        summary = code.summary.replace("|", "\\|")
        lines.append(f"| {code.code} | `{code.name}` | {code.severity.value} | {summary} |")
    lines += ["", "## Examples", ""]
    for code in CATALOGUE.values():
        if not code.example:
            continue
        line, column = code.example_at
        lines += [
            f"### {code.code} `{code.name}`",
            "",
            f"Reported at line {line}, column {column} of:",
            "",
            "```",
            code.example.rstrip("\n"),
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
