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
    """--store PATH, else HELPDESK_INTAKE_STORE, else the location chosen at first run, else the data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env).expanduser()
    return remembered_store_path() or default_store_path()


def _location_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "store-location"


def remembered_store_path() -> Path | None:
    """The store location chosen in the first-run wizard when it is not the default one."""
    try:
        text = _location_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return Path(text) if text else None


def remember_store_path(path: Path) -> None:
    """Record a non-default store location (a path only, nothing secret); forget it for the default."""
    f = _location_file()
    if Path(path).expanduser().resolve() == default_store_path().resolve():
        f.unlink(missing_ok=True)
        return
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(str(Path(path).expanduser().resolve()) + "\n", encoding="utf-8")


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
