"""Render the app icon from its SVG source into the files each platform needs.

    .venv/bin/python tools/make_icons.py [--check]

Writes into resources/icons/:
  helpdesk-intake-<N>.png for N in 16, 24, 32, 48, 64, 128, 256, 512 (Linux hicolor theme, Qt)
  helpdesk-intake.ico  (Windows: 16-256 px, PNG-compressed entries, as Vista and later read them)
  helpdesk-intake.icns (macOS: 16-512 px and the @2x variants, PNG entries)

Uses PySide6's QSvgRenderer (QtSvg ships in PySide6-Essentials); Pillow is not needed: the ICO
and ICNS containers are a small header plus PNG data, written here by hand.
--check renders in memory and exits 1 if any file on disk differs (or is missing).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "helpdesk-intake"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, and the pixel size each holds.
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a size x size transparent image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO container: ICONDIR, one ICONDIRENTRY per size, then the PNG images."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS container: 'icns' + total length, then (type, length, PNG) elements (big-endian)."""
    body = b""
    for kind, size in ICNS_TYPES:
        blob = pngs[size]
        body += kind + struct.pack(">I", 8 + len(blob)) + blob
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def outputs(svg: Path) -> dict[Path, bytes]:
    pngs = {s: render_png(svg, s) for s in PNG_SIZES}
    files = {ICONS / f"{NAME}-{s}.png": data for s, data in pngs.items()}
    files[ICONS / f"{NAME}.ico"] = ico_bytes(pngs)
    files[ICONS / f"{NAME}.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str]) -> int:
    svg = ICONS / f"{NAME}.svg"
    files = outputs(svg)
    if "--check" in argv:
        stale = [p.name for p, data in files.items() if not p.is_file() or p.read_bytes() != data]
        if stale:
            print("make_icons: out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for path, data in files.items():
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}  {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
