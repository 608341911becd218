"""build.spec, the icons and the .desktop file, checked without building the bundle.

The bundle itself is built and run by .ci/bundle-smoke.sh; here we execute build.spec with
PyInstaller's build classes stubbed out and check it brings what a frozen app would lose.
"""

from __future__ import annotations

import configparser
import importlib.util
import runpy
import struct
import sys
import types
from pathlib import Path

import pytest

import desktop

ROOT = Path(__file__).resolve().parents[2]


class _Recorder:
    calls: dict[str, dict] = {}

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        _Recorder.calls[self.name] = {"args": args, **kwargs}
        return types.SimpleNamespace(binaries=[], datas=list(kwargs.get("datas", [])), pure=[],
                                     scripts=[], args=args, kwargs=kwargs)


@pytest.fixture
def spec(monkeypatch, tmp_path):
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda pkg, **kw: [f"{pkg}.*collected*"]
    hooks.copy_metadata = lambda pkg, **kw: [(f"metadata:{pkg}", f"{pkg}.dist-info")]
    hooks.collect_data_files = lambda pkg, **kw: [(f"data:{pkg}", pkg)]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    _Recorder.calls = {}
    stubs = {n: _Recorder(n) for n in ("Analysis", "PYZ", "EXE", "COLLECT")}
    ns = runpy.run_path(str(ROOT / "build.spec"), init_globals={"SPECPATH": str(ROOT), "workpath": str(tmp_path), **stubs})
    return ns, _Recorder.calls


def test_name_and_version_come_from_the_package(spec):
    ns, calls = spec
    assert ns["APP_NAME"] == desktop.APP_NAME == "helpdesk-intake"
    assert ns["VERSION"] == desktop.__version__
    assert calls["EXE"]["name"] == calls["COLLECT"]["name"] == "helpdesk-intake"
    assert calls["EXE"]["exclude_binaries"] is True, "one-folder build"
    assert calls["EXE"]["console"] is True, "the same executable serves the CLI"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'attr = "desktop.__version__"' in pyproject and '\nversion = "' not in pyproject


def test_entry_script_and_runtime_hook(spec):
    _, calls = spec
    script = Path(calls["Analysis"]["args"][0][0])
    assert script == ROOT / "desktop" / "__main__.py"
    hooks = [Path(h) for h in calls["Analysis"]["runtime_hooks"]]
    assert all(h.is_file() for h in hooks)
    assert "HELPDESK_INTAKE_BUNDLE_CHECK" in hooks[0].read_text()


def test_hidden_imports_cover_what_is_imported_by_name(spec):
    _, calls = spec
    hidden = set(calls["Analysis"]["hiddenimports"])
    for collected in ("desktop", "keyring.backends", "holidays"):
        assert f"{collected}.*collected*" in hidden
    for module in ("keyring.backends.SecretService", "keyring.backends.Windows", "keyring.backends.macOS",
                   "keyring.backends.libsecret", "keyring.backends.kwallet", "keyring.backends.chainer",
                   "sqlcipher3", "sqlcipher3._sqlite3", "reportlab.rl_settings", "pypdf",
                   "bidi.algorithm", "arabic_reshaper"):
        assert module in hidden, module
    named = [m for m in hidden if "*" not in m]
    missing = [m for m in named if importlib.util.find_spec(m) is None]
    assert not missing, f"hidden imports that do not exist here: {missing}"


def test_datas_bring_resources_and_entry_point_metadata(spec):
    _, calls = spec
    datas = calls["Analysis"]["datas"]
    assert (str(ROOT / "resources"), "resources") in datas
    sources = {src for src, _ in datas}
    assert {"metadata:keyring", "metadata:holidays", "data:holidays"} <= sources
    for needed in ("defaults/organisation.json", "defaults/app.json", "fonts/DejaVuSans.ttf",
                   "fonts/LICENSE-DejaVu.txt", "icons/helpdesk-intake.svg"):
        assert (ROOT / "resources" / needed).is_file(), needed


def test_excludes_leave_the_qt_modules_the_app_uses(spec):
    _, calls = spec
    excludes = set(calls["Analysis"]["excludes"])
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    assert not used & excludes
    assert {"PySide6.QtQml", "PySide6.QtNetwork", "pytest"} <= excludes
    kept = spec[0]["_kept"]([("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA"),
                             ("PySide6/Qt/plugins/platforms/libqxcb.so", "x", "BINARY"),
                             ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "x", "BINARY")])
    assert [k[0] for k in kept] == ["PySide6/Qt/plugins/platforms/libqxcb.so",
                                    "PySide6/Qt/plugins/platforms/libqoffscreen.so"]


def test_icons_in_every_size_and_a_valid_ico():
    icons = ROOT / "resources" / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = (icons / f"helpdesk-intake-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    ico = (icons / "helpdesk-intake.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
        sizes.append(w or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    icns = (icons / "helpdesk-intake.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_desktop_file():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "helpdesk-intake.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"] == "helpdesk-intake"
    assert d["Icon"] == "helpdesk-intake" and d["Terminal"] == "false"
    assert d["Categories"].rstrip(";").split(";") == ["Office"] and d["Name"] and d["Comment"]


def test_smoke_script_runs_the_bundle_as_a_user_would():
    script = (ROOT / ".ci" / "bundle-smoke.sh").read_text()
    for needed in ("make dist", "--version", " init", " add ", "request open", "report --email",
                   "HELPDESK_INTAKE_SMOKE_EXIT_AFTER_SHOWN=1", "QT_QPA_PLATFORM=offscreen",
                   "HELPDESK_INTAKE_BUNDLE_CHECK=1"):
        assert needed in script, needed
    launch = (ROOT / "desktop" / "ui" / "shell" / "launch.py").read_text()
    assert "HELPDESK_INTAKE_SMOKE_EXIT_AFTER_SHOWN" in launch, "the GUI honours the smoke hook"
