"""The diagnostics reference (`docs/diagnostics.md`), generated from the catalogue.

Regenerate with `python -m odyssey_dsl.diagnostics.docs > docs/diagnostics.md`; a test keeps the
checked-in file in step with the catalogue. Each code has its own section, whose anchor
(`#e501`) is what SARIF's `helpUri` and editors link to (`help_uri`).
"""

from __future__ import annotations

from odyssey_dsl.diagnostics import CATALOGUE, Code

DOCS_URL = "https://github.com/odyssey-dsl/odyc/blob/main/docs/diagnostics.md"
"""Where `docs/diagnostics.md` is published: the one place to change if it moves."""


def anchor(code: str) -> str:
    """The anchor of a code's section in the page (`e501`)."""
    return code.lower()


def help_uri(code: str) -> str:
    """The address of a code's section in the published page."""
    return f"{DOCS_URL}#{anchor(code)}"


def render_markdown() -> str:
    lines = [
        "# odyc diagnostics",
        "",
        "Every problem odyc reports has a stable code. Errors (`E`) stop the compile; warnings",
        "(`W`) do not, unless `--werror` is given. Warnings can be turned off in the configuration",
        "(`ignore`) or on one line (`# odyc: ignore[W103]`); errors cannot. This page is",
        "generated from the catalogue in `odyssey_dsl/diagnostics/catalogue.py`",
        "(`python -m odyssey_dsl.diagnostics.docs`); `odyc rule CODE` shows the same in a",
        "terminal.",
        "",
        "| code | name | severity | what it means |",
        "| --- | --- | --- | --- |",
    ]
    for code in CATALOGUE.values():
        summary = code.summary.replace("|", "\\|")
        lines.append(
            f"| [{code.code}](#{anchor(code.code)}) | `{code.name}` | {code.severity.value} "
            f"| {summary} |"
        )
    lines.append("")
    for code in CATALOGUE.values():
        lines += _section(code)
    return "\n".join(lines)


def _section(code: Code) -> list[str]:
    lines = [
        f"## {code.code}",
        "",
        f"`{code.name}` · {code.severity.value}",
        "",
        code.summary,
        "",
        f"**Fix:** {code.fix}",
        "",
    ]
    if code.example:
        line, column = code.example_at
        lines += [
            f"Reported at line {line}, column {column} of:",
            "",
            "```",
            code.example.rstrip("\n"),
            "```",
            "",
        ]
    return lines


if __name__ == "__main__":
    print(render_markdown(), end="")
