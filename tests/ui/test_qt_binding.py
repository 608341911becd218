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
