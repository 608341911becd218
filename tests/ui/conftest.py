"""GUI fixtures: a synchronous task runner, a main window over the test store, window settings in tmp."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from desktop.ui.shell.launch import build_window
from desktop.ui.widgets.jobs import SyncRunner


@pytest.fixture
def runner() -> SyncRunner:
    return SyncRunner()


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.IniFormat)


@pytest.fixture
def notices() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def window(qtbot, services, runner, qsettings, notices):
    win = build_window(services, runner=runner, settings=qsettings,
                       notify=lambda title, text: notices.append((title, text)),
                       confirm=lambda title, text: True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=2000)
    return win
