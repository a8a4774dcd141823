"""Completion: keywords and snippets; inside `{{ }}`, the variables in scope, `loop.` members
(in loops) and Jinja2 filters; after `with image "`, the image files next to the document."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from odyssey_dsl.lsp.hover import KEYWORDS
from odyssey_dsl.syntax import nodes as n

if TYPE_CHECKING:
    from odyssey_dsl.lsp.analysis import Analysis
    from odyssey_dsl.lsp.edge import Edge

SNIPPETS: tuple[tuple[str, str, str], ...] = (
    ("at … :", "at ${1:0s}: ${0}", "an action at a time from the block's origin"),
    ("after … :", "after ${1:1s}: ${0}", "an action a duration after the previous one"),
    ("repeat … every …:", "repeat ${1:3} every ${2:1s}:\n    ${0}", "a loop of N iterations"),
    (
        "for … in … every …:",
        "for ${1:item} in [${2}] every ${3:1s}:\n    ${0}",
        "a loop over a list",
    ),
    ('script "…":', 'script "${1:name}":\n    ${0}', "one script of a batch"),
    (
        'start "…" with image "…"',
        'start "${1:prompt}" with image "${2:image.png}"',
        "open a stream from an image",
    ),
)

LOOP_MEMBERS: dict[str, str] = {
    "index": "the iteration, from 1",
    "index0": "the iteration, from 0",
    "first": "true in the first iteration",
    "last": "true in the last iteration",
    "length": "how many iterations the loop has",
    "revindex": "iterations left, counting this one (from 1)",
    "revindex0": "iterations left after this one",
}

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
_IMAGE_PATH = re.compile(r'\bimage\s+"([^"]*)$')
_FILTER = re.compile(r"\|\s*\w*$")


def completions(
    edge: Edge, position: types.Position, snippets: bool = True
) -> list[types.CompletionItem]:
    """What fits at `position`; the snippets only for a client that supports them."""
    analysis = edge.analysis
    offset = edge.offset(position)
    text = analysis.source_text
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    image = _IMAGE_PATH.search(before)
    if image is not None:
        return list(_image_paths(analysis, image.group(1)))
    opened = max(before.rfind("{{"), before.rfind("{%"))
    if opened != -1 and opened > max(before.rfind("}}"), before.rfind("%}")):
        return list(_template(analysis, offset, before))
    if before.count('"') % 2 == 1 or "#" in before:
        return []
    return list(_keywords(snippets))


def _keywords(snippets: bool) -> Iterator[types.CompletionItem]:
    for word, doc in KEYWORDS.items():
        yield types.CompletionItem(
            label=word, kind=types.CompletionItemKind.Keyword, documentation=doc
        )
    for label, body, doc in SNIPPETS if snippets else ():
        yield types.CompletionItem(
            label=label,
            kind=types.CompletionItemKind.Snippet,
            insert_text=body,
            insert_text_format=types.InsertTextFormat.Snippet,
            documentation=doc,
        )


def _template(analysis: Analysis, offset: int, before: str) -> Iterator[types.CompletionItem]:
    chain = enclosing_blocks(analysis.tree.scene.statements, offset)
    in_loop = any(isinstance(block, n.Repeat | n.ForLoop) for block in chain)
    if before.endswith("loop."):
        if in_loop:
            for member, doc in LOOP_MEMBERS.items():
                yield types.CompletionItem(
                    label=member, kind=types.CompletionItemKind.Property, detail=doc
                )
        return
    if _FILTER.search(before):
        from odyssey_dsl.semantics.templates import environment

        for name in sorted(environment().filters):
            yield types.CompletionItem(label=name, kind=types.CompletionItemKind.Function)
        return
    for name, detail in visible_names(analysis, offset, chain):
        yield types.CompletionItem(
            label=name, kind=types.CompletionItemKind.Variable, detail=detail
        )
    if in_loop:
        yield types.CompletionItem(
            label="loop", kind=types.CompletionItemKind.Variable, detail="the current iteration"
        )


def enclosing_blocks(statements: tuple[n.Statement, ...], offset: int) -> list[n.Statement]:
    """The blocks whose body holds `offset`, outermost first."""
    from odyssey_dsl.lsp.outline import block_end

    chain: list[n.Statement] = []
    level = statements
    while True:
        for statement in level:
            body = getattr(statement, "body", ())
            if body and statement.span.end_offset <= offset <= block_end(statement):
                chain.append(statement)
                level = body
                break
        else:
            return chain


def visible_names(
    analysis: Analysis, offset: int, chain: list[n.Statement]
) -> Iterator[tuple[str, str]]:
    """The `let`s and loop variables defined before `offset` in the blocks that hold it."""
    seen: set[str] = set()
    scopes: list[tuple[n.Statement, ...]] = [analysis.tree.scene.statements]
    scopes += [getattr(block, "body", ()) for block in chain]
    for block in reversed(chain):
        if isinstance(block, n.ForLoop) and block.var not in seen:
            seen.add(block.var)
            yield block.var, "loop variable"
    for scope in reversed(scopes):
        for statement in scope:
            if (
                isinstance(statement, n.Let)
                and statement.span.start_offset < offset
                and statement.name not in seen
            ):
                seen.add(statement.name)
                yield statement.name, "let"
    for name in analysis.project.settings.variables:
        if name not in seen:
            yield name, "[vars] of the configuration"


def _image_paths(analysis: Analysis, typed: str) -> Iterator[types.CompletionItem]:
    path = analysis.document.path
    base = path.parent if path is not None else Path.cwd()
    folder_part = typed.rpartition("/")[0]
    folder = base / folder_part if folder_part else base
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield types.CompletionItem(label=entry.name + "/", kind=types.CompletionItemKind.Folder)
        elif entry.name.lower().endswith(IMAGE_SUFFIXES):
            yield types.CompletionItem(label=entry.name, kind=types.CompletionItemKind.File)
