"""The installed Qt binding must not drain None's reference count (PySide6 6.12.0 on Python 3.11 does:
every call of a void method drops one reference, and a long session aborts with none_dealloc)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QCheckBox, QLabel


def test_void_qt_calls_keep_none_alive(qtbot):
    box, label = QCheckBox(), QLabel()
    qtbot.addWidget(box)
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(500):
        box.setChecked(i % 2 == 0)
        label.setText(str(i))
    assert sys.getrefcount(None) - before > -50  # 6.12.0 on 3.11 loses ~1000 here


def test_modules_imported_after_the_ui_are_not_read_as_source(tmp_path, monkeypatch):
    """PySide6's import hook would read every later module's source (and keep it in linecache):
    the first report (reportlab) and the first intake check (phonenumbers) paid for that."""
    import linecache

    import desktop.ui  # noqa: F401 - the adjustment happens on import

    module = tmp_path / "late_module_for_pyside_hook.py"
    module.write_text("# mentions PySide6\nVALUE = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.clearcache()
    late = __import__("late_module_for_pyside_hook")  # an import statement's path (PySide6 hooks it)
    assert late.VALUE == 42
    assert str(module) not in linecache.cache
    sys.modules.pop("late_module_for_pyside_hook", None)


def test_the_shipped_cjk_font_backs_the_window_up(qtbot):
    """A Japanese or Chinese name shows as letters even where the system has no CJK font: the
    font the reports embed is registered with Qt's fallback before any window shows."""
    from PySide6.QtGui import QFontDatabase

    from desktop.ui.widgets.style import register_fallback_fonts

    register_fallback_fonts()
    register_fallback_fonts()  # once per process
    for system in (QFontDatabase.WritingSystem.Japanese, QFontDatabase.WritingSystem.SimplifiedChinese):
        assert "Droid Sans Fallback" in QFontDatabase.families(system)
    assert "NanumSquare" in QFontDatabase.families(QFontDatabase.WritingSystem.Korean)
