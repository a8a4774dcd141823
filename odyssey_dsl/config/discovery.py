"""Finding the configuration of a scene: the nearest `odyc.toml`, or `pyproject.toml` with a
`[tool.odyc]` table, in the scene's folder or the folders above it.

In one folder `odyc.toml` comes before `pyproject.toml`; a `pyproject.toml` without
`[tool.odyc]` is skipped, and the search goes on upwards.
"""

from __future__ import annotations

from pathlib import Path

from odyssey_dsl.config.reading import (
    ODYC_TOML,
    PYPROJECT,
    ConfigError,
    ConfigFile,
    odyc_table,
    read_config_file,
    validate_table,
)
from odyssey_dsl.config.settings import Settings, settings_from_file


def find_config_file(directory: Path) -> ConfigFile | None:
    """The nearest configuration at or above `directory`, read and validated."""
    for folder in (directory, *directory.parents):
        found = _config_in(folder)
        if found is not None:
            return found
    return None


def _config_in(folder: Path) -> ConfigFile | None:
    """The configuration file of `folder` itself, if it has one."""
    candidate = folder / ODYC_TOML
    if candidate.is_file():
        return read_config_file(candidate)
    candidate = folder / PYPROJECT
    if candidate.is_file():
        table = odyc_table(candidate)
        if table is not None:
            return ConfigFile(candidate, validate_table(table, candidate))
    return None


class ConfigResolver:
    """The settings of each scene of one run; each folder is looked at once.

    `explicit` (`--config PATH`) is used for every scene; `isolated` (`--isolated`) uses the
    defaults for every scene. The caller owns the resolver: a new one sees changed files.
    """

    def __init__(self, *, explicit: Path | None = None, isolated: bool = False) -> None:
        if explicit is not None and isolated:
            raise ConfigError("--config and --isolated cannot be used together")
        self._fixed: Settings | None = None
        if isolated:
            self._fixed = Settings()
        elif explicit is not None:
            self._fixed = settings_from_file(read_config_file(explicit))
        self._by_folder: dict[Path, Settings] = {}

    def settings_for(self, scene: Path | None) -> Settings:
        """The settings of the scene `scene` (None: standard input, looked up from the
        current directory)."""
        if self._fixed is not None:
            return self._fixed
        return self.settings_of_folder(scene.parent if scene is not None else Path.cwd())

    def settings_of_folder(self, folder: Path) -> Settings:
        """The settings of the scenes directly in `folder`."""
        if self._fixed is not None:
            return self._fixed
        folder = folder.absolute()
        pending: list[Path] = []
        settings: Settings | None = None
        for current in (folder, *folder.parents):
            settings = self._by_folder.get(current)
            if settings is not None:
                break
            pending.append(current)
            found = _config_in(current)
            if found is not None:
                settings = settings_from_file(found)
                break
        if settings is None:
            settings = Settings()
        for visited in pending:
            self._by_folder[visited] = settings
        return settings
