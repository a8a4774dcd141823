"""The diagnostics reference (`docs/diagnostics.md`), generated from the catalogue.

Regenerate with `python -m odyssey_dsl.diagnostics.docs > docs/diagnostics.md`; a test keeps the
checked-in file in step with the catalogue. Each code has its own section, whose anchor
(`#e501`) is what SARIF's `helpUri` and `odyc rule` link to (`help_uri`), when the project
declares where the page is published: a `Diagnostics` entry of `[project.urls]` in
pyproject.toml. Without one, no link is given (the catalogue's text is given in full).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from odyssey_dsl.diagnostics import CATALOGUE, Code

DISTRIBUTION = "odyssey-dsl"
DIAGNOSTICS_LABEL = "diagnostics"
"""The `[project.urls]` label whose address is the published `docs/diagnostics.md`."""
HOME_LABELS = ("homepage", "repository", "source")
"""`[project.urls]` labels of odyc's home page, in order of preference."""


@functools.cache
def project_urls() -> Mapping[str, str]:
    """The `[project.urls]` of the installed package (lower-case label -> address): no
    address is ever made up, so where the project declares none, links are left out."""
    from importlib import metadata

    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    return parse_project_urls(entries)


def parse_project_urls(entries: Iterable[str]) -> dict[str, str]:
    """`Project-URL` metadata entries (`Label, https://...`) as lower-case label -> address."""
    urls: dict[str, str] = {}
    for entry in entries:
        label, _, address = entry.partition(",")
        if address.strip():
            urls[label.strip().lower()] = address.strip()
    return urls


def anchor(code: str) -> str:
    """The anchor of a code's section in the page (`e501`)."""
    return code.lower()


def help_uri(code: str, urls: Mapping[str, str] | None = None) -> str | None:
    """The address of a code's section in the published page, or None when the project
    declares no `Diagnostics` address (`urls`: the project's, by default)."""
    page = (project_urls() if urls is None else urls).get(DIAGNOSTICS_LABEL)
    return f"{page}#{anchor(code)}" if page else None


def information_uri(urls: Mapping[str, str] | None = None) -> str | None:
    """The address of odyc's home page, or None when the project declares none."""
    found = project_urls() if urls is None else urls
    return next((found[label] for label in HOME_LABELS if label in found), None)


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
