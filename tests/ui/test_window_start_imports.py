"""What the window loads at start (issue 17, peak memory): not OpenSSL through hashlib (about
3.6 MiB), not the PDF, export or import code, nor the services built on first use. Run in a fresh process, as `helpdesk-intake` starts:
open the store, build the window, show the case list, paint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.app import create_services
from desktop.store.keys import Key
from tests.helpers.factories import add_case

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(["t"])
from desktop import app as root
from desktop.store.keys import Key
from desktop.ui.shell.launch import build_window
services = root.open_services(sys.argv[1], Key("raw", sys.stdin.readline().strip()), staff="t",
                              verify_pages=False)
window = build_window(services)
window.show_view("cases")
window.show()
for _ in range(20):
    app.processEvents()
assert window.case_model.rowCount() == 1, window.case_model.rowCount()
print(" ".join(sorted(sys.modules)))
services.close()
"""


def test_window_start_loads_no_openssl_and_no_reports(tmp_path):
    key = Key.new_raw()
    path = tmp_path / "s.db"
    with create_services(path, key, staff="t") as services:
        add_case(services)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], input=key.secret + "\n", text=True,
                          capture_output=True, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(proc.stdout.split())
    assert "desktop.ui.cases.model" in loaded  # the case list did show
    assert "_hashlib" not in loaded, "OpenSSL's hashlib loaded at window start (use desktop.digests)"
    for heavy in ("reportlab", "desktop.reports.access_report", "desktop.services.form_import",
                  "desktop.services.reporting", "desktop.services.rights", "desktop.services.importer",
                  "desktop.services.backup_service", "desktop.services.keys_service", "desktop.services.demo"):
        assert heavy not in loaded, heavy
