"""The app's own folders: created owner-only; a folder that already exists keeps its mode.

A shared folder (mode 1777 with the sticky bit, a team folder with group access) is not the app's
to change: `init` puts an owner-only (0600) store file in it and leaves the folder alone."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def make_private_dirs(folder: Path) -> list[Path]:
    """Create folder and any missing parents with mode 0700 (whatever the umask); the ones it
    created, outermost first. Existing folders are not touched."""
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created = []
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue  # made by someone else meanwhile: theirs, not ours
        with contextlib.suppress(OSError):
            os.chmod(d, 0o700)  # mkdir's mode is masked by the umask
        created.append(d)
    return created
