"""Preview a generated access report before it is saved.

The report is generated into a private temporary folder (mode 0700, removed afterwards), shown page
by page, and only on "Save…" moved to the path staff choose; "Discard" (or closing the window)
deletes it. Pages are drawn with QtPdf when PySide6-Addons is installed, else with pypdfium2.

Password-protected reports are previewed as the encrypted file itself, opened with the password in
memory: what staff see is exactly what will be saved, and no unencrypted copy ever touches the disk.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.messages import user_message
from desktop.ui.widgets.style import ERROR_STYLE, INFO_STYLE, OK_STYLE

PREVIEW_SCALE = 1.25  # 90 dpi: readable on screen, cheap to draw
AskPath = Callable[[QWidget, str], "str | None"]


class PrivateTempDir:
    """A folder only this user can read (0700), for one report; remove() deletes it and its files."""

    def __init__(self, prefix: str = "helpdesk-report-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        os.chmod(self.path, 0o700)

    def file(self, name: str) -> Path:
        return self.path / name

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def exists(self) -> bool:
        return self.path.exists()


def move_private(src: Path, dest: Path) -> Path:
    """Move src to dest, replacing dest; across file systems via a 0600 partial file renamed into
    place, so a crash never leaves half a report under the chosen name."""
    dest = Path(dest)
    try:
        os.replace(src, dest)
        return dest
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = dest.with_name(f".{dest.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    src.unlink(missing_ok=True)
    return dest


def _qtpdf_pages(path: Path, password: str | None, scale: float) -> list[QImage] | None:
    try:
        from PySide6.QtPdf import QPdfDocument  # PySide6-Addons; absent by default
    except ImportError:
        return None
    from PySide6.QtCore import QSize

    doc = QPdfDocument()
    if password:
        doc.setPassword(password)
    doc.load(str(path))
    if doc.pageCount() <= 0:
        raise ValueError("the report could not be opened for preview")
    pages = []
    for i in range(doc.pageCount()):
        size = doc.pagePointSize(i)
        pages.append(doc.render(i, QSize(int(size.width() * scale), int(size.height() * scale))))
    doc.close()
    return pages


def _pdfium_pages(path: Path, password: str | None, scale: float) -> list[QImage]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path), password=password or None)
    try:
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=scale, prefer_bgrx=True, fill_color=(255, 255, 255, 255))
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format_RGB32)
            pages.append(image.copy())  # detach from pdfium's buffer before it is freed
            bitmap.close()
            page.close()
        return pages
    finally:
        doc.close()


FRAME_ROOM = 48  # a window manager's title bar and frame around the dialog


def fitting_size(width: int, height: int, parent: QWidget | None = None) -> QSize:
    """width x height, shrunk to fit the screen's free area with room for the window frame (a
    900-pixel-tall preview would run off a 900-pixel screen, its Save button out of reach)."""
    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    return QSize(min(width, free.width() - FRAME_ROOM), min(height, free.height() - FRAME_ROOM))


def render_pages(path: Path, password: str | None = None, scale: float = PREVIEW_SCALE) -> list[QImage]:
    """Every page of the PDF as an image (QtPdf if importable, else pypdfium2)."""
    pages = _qtpdf_pages(path, password, scale)
    return pages if pages is not None else _pdfium_pages(path, password, scale)


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    start = str(Path.home() / suggested)
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save access report", start, "PDF (*.pdf)")
    return chosen or None


class ReportPreviewDialog(QDialog):
    """Shows the pages; Save… moves the file to the chosen path, Discard deletes it."""

    def __init__(self, pdf: Path, tempdir: PrivateTempDir, *, suggested_name: str, title: str,
                 password: str | None = None, ask_path: AskPath = ask_save_path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = Path(pdf)
        self.tempdir = tempdir
        self.suggested_name = suggested_name
        self.ask_path = ask_path
        self.saved_path: Path | None = None
        self.setWindowTitle(title)
        self.resize(fitting_size(820, 900, parent))
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setAccessibleName("Report pages")
        self.scroll.setStyleSheet("QScrollArea { background: #8a8f98; }")
        holder = QWidget()
        holder.setStyleSheet("background: #8a8f98;")
        self.pages_box = QVBoxLayout(holder)
        self.pages_box.setSpacing(14)
        self.pages_box.setAlignment(Qt.AlignHCenter)
        self.scroll.setWidget(holder)
        layout.addWidget(self.scroll, 1)

        self.message = QLabel("")
        self.message.setTextFormat(Qt.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.discard_button = QPushButton("&Discard")
        self.discard_button.setToolTip("Delete the generated report; nothing is saved")
        self.save_button = QPushButton("&Save…")
        self.save_button.setDefault(True)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.discard_button.clicked.connect(self.discard)
        self.save_button.clicked.connect(self.save)

        self.page_count = 0
        try:
            images = render_pages(self.pdf, password)
        except Exception as exc:  # noqa: BLE001 - a preview failure must not lose the report
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText("The preview could not be drawn (" + user_message(exc) + "); you can still "
                                 "save the report and open it in a PDF reader.")
            images = []
        self.page_count = len(images)
        for n, image in enumerate(images, 1):
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setAccessibleName(f"Page {n} of {len(images)}")
            page.setStyleSheet("border: 1px solid #50545c; background: white;")
            self.pages_box.addWidget(page, 0, Qt.AlignHCenter)
        protection = "protected with a password (AES-256)" if password else "not password-protected"
        self.summary.setText(f"{self.page_count} page{'s' if self.page_count != 1 else ''}, {protection}. "
                             f"Nothing is saved until you choose Save…; Discard deletes it. "
                             f"Suggested file name: {suggested_name}")
        self.summary.setStyleSheet(INFO_STYLE)

    def save(self) -> None:
        chosen = self.ask_path(self, self.suggested_name)
        if not chosen:
            return
        dest = Path(chosen)
        if dest.suffix.lower() != ".pdf":
            dest = dest.with_name(dest.name + ".pdf")
        try:
            self.saved_path = move_private(self.pdf, dest)
        except OSError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText("Not saved: " + user_message(exc))
            return
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(f"Saved as {dest}")
        self.tempdir.remove()
        self.accept()

    def discard(self) -> None:
        self.tempdir.remove()
        self.reject()

    def done(self, result: int) -> None:  # every way out (Save, Discard, Esc, window close) cleans up
        self.tempdir.remove()
        super().done(result)
