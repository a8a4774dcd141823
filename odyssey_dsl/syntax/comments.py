"""The comments of a parsed scene, for the tools that read them (inline suppressions).

This is the one place that knows where a parse result keeps its comments: a change of the
syntax tree changes this function only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odyssey_dsl.syntax.nodes import Comment
    from odyssey_dsl.syntax.tree import SyntaxTree


def scene_comments(parsed: SyntaxTree) -> tuple[Comment, ...]:
    """Every comment of the file in source order: its span and its text (from the `#`)."""
    return parsed.scene.comments
