"""One analysis per document version: the compiler's timeline and diagnostics for the text
the server holds, with the project's configuration, and what the features derive from them.

Everything here runs the compiler's own functions (`expand_timeline`, `scene_names`,
`parse`) with the settings `odyc check` would use for the same file: the server never
checks anything itself. An `Analysis` is a value; what the features derive from it is
computed once, on first use (`functools.cached_property`), and never for another version.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from odyssey_dsl.config import ConfigError, ConfigResolver, Settings
from odyssey_dsl.lsp.positions import LineIndex

if TYPE_CHECKING:
    from odyssey_dsl.lsp.facts import TimelineFacts
    from odyssey_dsl.lsp.hints import Hint
    from odyssey_dsl.semantics.images import ImageLoader
    from odyssey_dsl.semantics.names import NameTable
    from odyssey_dsl.syntax.tree import SyntaxTree
    from odyssey_dsl.timeline.view import ExpandedTimeline

BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class DocumentText:
    """What is analysed: a version of a document's text, and where the document lives."""

    uri: str
    version: int | None
    text: str
    path: Path | None
    """The file the document is (None for an unsaved, `untitled:` document)."""


@dataclass(frozen=True)
class ProjectSettings:
    """The settings of one document, and where they come from."""

    settings: Settings
    problem: str | None = None
    """Why the configuration file could not be used (the defaults apply then)."""

    def describe(self) -> str:
        if self.problem is not None:
            return f"invalid configuration, using the defaults: {self.problem}"
        if self.settings.config_file is None:
            return "no odyc.toml or [tool.odyc] found, using the defaults"
        return f"settings from {self.settings.config_file}"


def project_settings(resolver: ConfigResolver, path: Path | None) -> ProjectSettings:
    """The settings `odyc check` applies to `path` (the defaults for an unsaved document)."""
    if path is None:
        return ProjectSettings(Settings())
    try:
        return ProjectSettings(resolver.settings_for(path))
    except ConfigError as error:
        return ProjectSettings(Settings(), str(error))


@dataclass(frozen=True)
class Analysis:
    """A document version as the compiler sees it."""

    document: DocumentText
    project: ProjectSettings
    timeline: ExpandedTimeline
    lines: LineIndex = field(repr=False)
    shift: int
    """Characters before the compiler's text (a byte order mark): compiler offset + shift is
    the offset in the document."""

    @property
    def version(self) -> int | None:
        return self.document.version

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def source_text(self) -> str:
        """The text the compiler read (without a leading byte order mark)."""
        return self.timeline.source.text

    @functools.cached_property
    def names(self) -> NameTable:
        """Every definition and use of a name (offsets are the compiler's), resolved on
        `tree` (as `odyssey_dsl.scene_names` does, without parsing again)."""
        from odyssey_dsl.semantics.names import resolve_names

        tree = self.tree
        return resolve_names(tree.scene, tree.source, self.project.settings.variables)

    @functools.cached_property
    def tree(self) -> SyntaxTree:
        """The lossless syntax tree (offsets are the compiler's)."""
        from odyssey_dsl.syntax import parse

        return parse(self.source_text, self.timeline.source.name)

    @functools.cached_property
    def facts(self) -> TimelineFacts:
        """What the timeline says about each statement."""
        from odyssey_dsl.lsp.facts import timeline_facts

        return timeline_facts(self.timeline)

    @functools.cached_property
    def hints(self) -> list[Hint]:
        """Every inlay hint, whatever the client's settings."""
        from odyssey_dsl.lsp.hints import all_hints

        return all_hints(self)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.timeline.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.timeline.diagnostics if not d.is_error)


def analyse(document: DocumentText, project: ProjectSettings, images: ImageLoader) -> Analysis:
    """Run the compiler on one version of a document, as `odyc check` runs it on the file."""
    from odyssey_dsl.compiler import expand_timeline

    settings = project.settings
    path = document.path
    timeline = expand_timeline(
        document.text,
        filename=str(path) if path is not None else document.uri,
        base_dir=path.parent if path is not None else Path.cwd(),
        max_entries=settings.max_entries,
        min_gap_ms=settings.min_gap_ms,
        images=images,
        rules=settings.rule_selection(path),
        default_variables=settings.variables,
        werror=settings.werror,
    )
    shift = 1 if document.text.startswith(BYTE_ORDER_MARK) else 0
    return Analysis(document, project, timeline, LineIndex(document.text), shift)
