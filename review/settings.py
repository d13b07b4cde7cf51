"""The review's thresholds: defaults in settings.toml beside this file, overridable by a user file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

DEFAULTS = Path(__file__).resolve().parent / "settings.toml"


class Settings:
    def __init__(self, values: dict[str, dict[str, Any]], source: str):
        self._v = values
        self.source = source

    def __getitem__(self, key: str) -> Any:
        section, name = key.split(".", 1)
        return self._v[section][name]

    def as_dict(self) -> dict:
        return {s: dict(v) for s, v in self._v.items()}


def load_settings(override: str | Path | None = None) -> Settings:
    values = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    source = "defaults"
    if override:
        path = Path(override)
        try:
            extra = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ValueError(f"{path}: cannot read settings: {e}") from None
        for section, items in extra.items():
            if section not in values or not isinstance(items, dict):
                raise ValueError(f"{path}: unknown settings section [{section}]")
            for k, v in items.items():
                if k not in values[section]:
                    raise ValueError(f"{path}: unknown setting {section}.{k}")
                values[section][k] = v
        source = str(path)
    return Settings(values, source)
