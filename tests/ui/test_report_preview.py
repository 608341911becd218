"""Report preview: pages drawn from the real PDF (also when AES-256 encrypted), a private temp folder
that every way out deletes, Save moves the file (also across file systems), a bad file still saves."""

from __future__ import annotations

import errno
import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from desktop.ui.requests import report_preview as rp
from desktop.ui.requests.report_preview import (
    PrivateTempDir,
    ReportPreviewDialog,
    move_private,
    render_pages,
)
from tests.helpers.factories import add_case


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


@pytest.fixture
def report(services):
    """A real access report for a person with two cases, in a private temp folder."""
    add_case(services)
    add_case(services, description="Second problem: greylisting at example.net")
    req = services.requests.open("access", "ada@example.org").request
    services.requests.record_verification(req.id, "reply_from_address")
    tempdir = PrivateTempDir()

    def make(password=None):
        out = tempdir.file(f"access-report-{req.ref}.pdf")
        result, _ = services.reports.access_report("ada@example.org", out, password=password)
        return result, tempdir, req.ref

    yield make
    tempdir.remove()


def ink(image) -> int:
    """How many sampled pixels are not white: a blank render would give 0."""
    dark = 0
    for y in range(0, image.height(), 8):
        for x in range(0, image.width(), 8):
            if QColor(image.pixel(x, y)).lightness() < 200:
                dark += 1
    return dark


def test_private_temp_dir_is_owner_only_and_removed():
    tmp = PrivateTempDir()
    assert (tmp.path.stat().st_mode & 0o777) == 0o700
    tmp.file("x.pdf").write_bytes(b"%PDF")
    tmp.remove()
    assert not tmp.exists


def test_pages_are_rendered_with_text_on_them(report):
    result, _tmp, _ref = report()
    pages = render_pages(result.path)
    assert len(pages) == result.pages > 1
    assert pages[0].width() > 500 and pages[0].height() > 700
    assert all(ink(p) > 20 for p in pages)


def test_an_encrypted_report_is_previewed_with_its_password(report):
    result, _tmp, _ref = report(password="s3cret pass")
    assert result.encrypted
    assert len(render_pages(result.path, "s3cret pass")) == result.pages
    with pytest.raises(Exception):  # noqa: B017 - pdfium's own error type
        render_pages(result.path, "wrong")


def test_save_moves_the_file_adds_pdf_and_removes_the_temp_folder(qtbot, report, tmp_path):
    result, tmp, ref = report()
    asked = []
    dialog = ReportPreviewDialog(result.path, tmp, suggested_name=f"access-report-{ref}.pdf", title="t",
                                 ask_path=lambda _p, s: asked.append(s) or str(tmp_path / "for-ada"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_count == result.pages
    assert dialog.pages_box.count() == result.pages
    click(qtbot, dialog.save_button)
    assert asked == [f"access-report-{ref}.pdf"]
    assert dialog.saved_path == tmp_path / "for-ada.pdf"
    assert (tmp_path / "for-ada.pdf").read_bytes().startswith(b"%PDF")
    assert not tmp.exists and not dialog.isVisible()


def test_the_preview_fits_the_screen_with_room_for_a_title_bar(qtbot, report):
    """On a screen shorter than the preview's natural 900 pixels, Save and Discard stay on screen."""
    result, tmp, _ref = report()
    dialog = ReportPreviewDialog(result.path, tmp, suggested_name="r.pdf", title="t")
    qtbot.addWidget(dialog)
    dialog.show()
    free = dialog.screen().availableGeometry()
    assert free.height() < 900 + rp.FRAME_ROOM  # the offscreen screen is short, as a laptop's is
    assert dialog.height() <= free.height() - rp.FRAME_ROOM and dialog.width() <= free.width()
    for button in (dialog.save_button, dialog.discard_button):
        corner = button.mapTo(dialog, QPoint(button.width(), button.height()))
        assert 0 < corner.y() <= dialog.height()  # laid out inside the shrunk dialog


def test_cancelling_the_save_dialog_keeps_the_preview_open(qtbot, report):
    result, tmp, ref = report()
    dialog = ReportPreviewDialog(result.path, tmp, suggested_name="r.pdf", title="t", ask_path=lambda _p, _s: None)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and result.path.exists() and dialog.saved_path is None


def test_escape_or_close_deletes_the_report(qtbot, report):
    result, tmp, _ref = report()
    dialog = ReportPreviewDialog(result.path, tmp, suggested_name="r.pdf", title="t")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert not result.path.exists() and not tmp.exists


def test_an_unreadable_file_is_said_in_one_line_and_can_still_be_saved(qtbot, tmp_path):
    tmp = PrivateTempDir()
    bad = tmp.file("r.pdf")
    bad.write_bytes(b"not a pdf at all")
    dialog = ReportPreviewDialog(bad, tmp, suggested_name="r.pdf", title="t",
                                 ask_path=lambda _p, _s: str(tmp_path / "kept.pdf"))
    qtbot.addWidget(dialog)
    assert dialog.page_count == 0
    assert "could not be drawn" in dialog.message.text() and "\n" not in dialog.message.text()
    click(qtbot, dialog.save_button)
    assert (tmp_path / "kept.pdf").read_bytes() == b"not a pdf at all"


def test_move_across_file_systems_goes_through_a_private_partial_file(monkeypatch, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF-1.7 data")
    dest = tmp_path / "out" / "b.pdf"
    dest.parent.mkdir()
    real_replace = os.replace
    calls = []

    def replace(a, b):
        calls.append((str(a), str(b)))
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        assert (os.stat(a).st_mode & 0o777) == 0o600 and os.path.basename(a).startswith(".b.pdf")
        return real_replace(a, b)

    monkeypatch.setattr(rp.os, "replace", replace)
    move_private(src, dest)
    assert dest.read_bytes() == b"%PDF-1.7 data" and not src.exists()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["b.pdf"]
