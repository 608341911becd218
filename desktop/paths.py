"""Where things live: the default store (platform data dir) and shipped resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop import APP_NAME

ENV_STORE = "HELPDESK_INTAKE_STORE"
ENV_RESOURCES = "HELPDESK_INTAKE_RESOURCES"


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_store_path() -> Path:
    return data_dir() / "store.db"


def store_path(cli_value: str | None) -> Path:
    """--store PATH, else HELPDESK_INTAKE_STORE, else the platform data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env).expanduser()
    return default_store_path()


def resources_dir() -> Path:
    """resources/ in a frozen bundle, a source checkout, or an installed wheel's data dir."""
    candidates = []
    if os.environ.get(ENV_RESOURCES):
        candidates.append(Path(os.environ[ENV_RESOURCES]))
    if getattr(sys, "frozen", False):
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "share" / APP_NAME / "resources")
    for c in candidates:
        if (c / "defaults").is_dir():
            return c
    raise FileNotFoundError("the app's resources folder is missing; reinstall helpdesk-intake")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
