"""Which scenes a command line names: files as given, folders searched for `*.ody`.

A folder is searched recursively; hidden folders (`.git`, `.venv`, ...), `node_modules`, and
whatever the `exclude` globs of the applicable configuration match are skipped, and so is a
`*.ody` that is not a regular file (a FIFO or a link to a device, which could block or never
end). A file named on the command line is always taken, excluded or not. `odyc check` and
`odyc fmt` share this search.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from odyssey_dsl.config.discovery import ConfigResolver

SCENE_SUFFIX = ".ody"
SKIPPED_FOLDERS = frozenset({"node_modules"})
"""Folders never searched (besides hidden ones, whose name starts with a dot)."""


class SceneSearch(NamedTuple):
    scenes: list[str]
    """The scenes, in command-line order; a folder's sorted by path."""
    empty_folders: list[str]
    """Folders named on the command line that hold no scene."""
    unreadable: list[tuple[str, str]]
    """(folder, reason) of folders that could not be listed."""


def find_scenes(arguments: Iterable[str], resolver: ConfigResolver) -> SceneSearch:
    """The scenes that `arguments` name (`-` for standard input is kept as is)."""
    scenes: list[str] = []
    empty: list[str] = []
    unreadable: list[tuple[str, str]] = []
    for argument in arguments:
        if argument == "-" or not os.path.isdir(argument):
            scenes.append(argument)
            continue
        found = _search(argument, resolver, unreadable)
        if not found:
            empty.append(argument)
        scenes += found
    return SceneSearch(scenes, empty, unreadable)


def _search(top: str, resolver: ConfigResolver, unreadable: list[tuple[str, str]]) -> list[str]:
    found: list[str] = []

    def on_error(error: OSError) -> None:
        unreadable.append((error.filename or top, error.strerror or str(error)))

    for folder, subfolders, files in os.walk(top, onerror=on_error):
        settings = resolver.settings_of_folder(Path(folder))
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not is_skipped_folder(name) and not settings.is_excluded(Path(folder, name))
        )
        found += [
            path
            for path in (os.path.join(folder, name) for name in sorted(files))
            if path.endswith(SCENE_SUFFIX)
            and os.path.isfile(path)  # not a FIFO or a device: reading one could never end
            and not settings.is_excluded(Path(path))
        ]
    return sorted(found)


def is_skipped_folder(name: str) -> bool:
    """Whether a folder of this name is never searched."""
    return name.startswith(".") or name in SKIPPED_FOLDERS
