"""Qt only: main window, views, table models, dialogs, background jobs."""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401 - installs PySide6's import hook, adjusted below


def _skip_feature_source_scan() -> None:
    """PySide6 hooks every later import and reads the new module's whole source (inspect.getsource)
    to see whether it mentions "PySide6", for its opt-in `from __feature__ import` switches
    (snake_case, true_property). The app uses none of them. The reading cost about 15 ms on the first
    intake check (phonenumbers, email-validator loaded then), 20-80 ms on the first report (reportlab)
    and left every source it read in linecache (megabytes, for the whole session). Every module is
    now marked "ignore" (-1), which is what PySide6 marks modules that do not mention it, and what
    the feature switch does for a module that does but selects no feature. A PySide6 without this
    hook is left alone."""
    feature = sys.modules.get("__feature__")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = lambda module: False


_skip_feature_source_scan()
