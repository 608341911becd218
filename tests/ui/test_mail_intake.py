"""Mail onto the window: an .eml and a .msg dropped on the main window fill the intake form and
show the diagnosis; staff tick the notice and age and save; the store holds the case and its
diagnosis. A pasted bounce does the same through "Paste message…"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.domain.models import CaseQuery
from desktop.services.mail_import import for_services
from tests.helpers.msgfile import build_msg

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "mail"


def drop(window, path: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(pos), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier))


def tick_and_save(qtbot, view) -> None:
    for box in (view.notice, view.age):
        qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
    qtbot.keyClick(view.description, Qt.Key_Return, Qt.ControlModifier)


def test_dropped_eml_bounce_fills_the_form_with_its_diagnosis(qtbot, window, services, tmp_path):
    # a bounce dated before the test clock (2026-01-10)
    raw = (FIX / "bp-rcpthosts.eml").read_bytes()
    f = tmp_path / "bounce.eml"
    f.write_bytes(raw)
    window.show_view("cases")
    drop(window, f)
    view, mail = window.intake_view, window.mail_intake
    assert window.current_view() == "intake"
    assert view.email.text() == "fred.bloggs@email.example.com" and view.name.text() == "Fred Bloggs"
    assert view.category.currentData() == "smtp_auth"
    assert "Status: 5.7.1" in view.technical.toPlainText() and "***@example.com" in view.technical.toPlainText()
    assert mail.panel.isVisible() and "Suggested category: SMTP authentication" in mail.panel.text.text()
    assert "rcpthosts" in mail.panel.text.text()
    # staff change the category, then take the suggestion back with the panel's button
    view.category.setCurrentIndex(view.category.findData("other"))
    qtbot.mouseClick(mail.panel.accept_button, Qt.LeftButton)
    assert view.category.currentData() == "smtp_auth"
    tick_and_save(qtbot, view)
    ids = list(services.cases.ids(CaseQuery()))
    assert len(ids) == 1
    case = services.ctx.cases.get(ids[0])
    assert case.email == "fred.bloggs@email.example.com" and case.category.value == "smtp_auth"
    assert case.received_at == datetime(2010, 7, 21, 12, 2, 16, tzinfo=UTC)      # the bounce's Date
    record = for_services(services).record(ids[0])
    assert record["confirmed_at"] is not None and record["diagnosis"]["status"] == "5.7.1"
    assert not mail.panel.isVisible()


def test_dropped_msg_fills_the_form(qtbot, window, services, tmp_path):
    f = tmp_path / "question.msg"
    f.write_bytes(build_msg(subject="Mails to Outlook bounce", sender_name="Kim Lee", sender_email="kim@lee.example",
                            body="Hello,\nall mails to outlook.com come back since Friday.\n\n-- \nKim",
                            delivered=datetime(2026, 1, 8, 9, 30, tzinfo=UTC), attachments=1))
    drop(window, f)
    view = window.intake_view
    assert (view.name.text(), view.email.text()) == ("Kim Lee", "kim@lee.example")
    assert view.description.toPlainText() == "Hello,\nall mails to outlook.com come back since Friday."
    assert view.channel.currentData() == "email"
    assert "Filled from question.msg" in window.mail_intake.note.text()
    view.category.setCurrentIndex(view.category.findData("bounce"))
    tick_and_save(qtbot, view)
    ids = list(services.cases.ids(CaseQuery()))
    case = services.ctx.cases.get(ids[0])
    assert case.name == "Kim Lee" and case.received_at == datetime(2026, 1, 8, 9, 30, tzinfo=UTC)


def test_dropped_outlook_saved_bounce_msg(qtbot, window, services):
    # a .msg saved by Outlook itself (msg_parser's test file), not built by our helper
    drop(window, FIX / "msgparser-other-bounce.msg")
    view, mail = window.intake_view, window.mail_intake
    assert view.email.text() == "yosipnps@model.com" and view.category.currentData() == "bounce"
    assert "Status: 5.2.1" in view.technical.toPlainText()
    assert mail.panel.isVisible() and "5.2.1" in mail.panel.text.text()
    qtbot.keyClicks(view.name, "Yosip")
    tick_and_save(qtbot, view)
    case = services.ctx.cases.get(list(services.cases.ids(CaseQuery()))[0])
    assert case.email == "yosipnps@model.com" and case.received_at == datetime(2017, 11, 27, 9, 44, 30, tzinfo=UTC)
    assert for_services(services).record(case.id)["diagnosis"]["status"] == "5.2.1"


def test_a_dropped_pdf_is_not_read(qtbot, window, tmp_path):
    f = tmp_path / "invoice.pdf"
    f.write_bytes(b"%PDF-1.4")
    drop(window, f)
    assert window.intake_view.name.text() == "" and "Drop an .eml" in window.mail_intake.note.text()


def test_paste_message(qtbot, window, services):
    from desktop.ui.intake.mail_panel import PasteDialog

    text = (FIX / "doc-gmail-dmarc-5.7.26.eml").read_text()

    def fill_dialog():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PasteDialog) and w.isVisible())
        dialog.edit.setPlainText(text)
        dialog.accept()

    QTimer.singleShot(0, fill_dialog)
    qtbot.mouseClick(window.mail_intake.paste_button, Qt.LeftButton)
    view = window.intake_view
    assert view.email.text() == "customer@shop.example" and view.category.currentData() == "spf_dkim_dmarc"
    assert "5.7.26" in window.mail_intake.panel.text.text()


def test_case_detail_shows_the_diagnosis_and_confirms(qtbot, window, services, tmp_path):
    from desktop.ui.cases.detail import CaseDetailDialog
    from desktop.ui.cases.detail_controller import CaseDetailController
    from desktop.ui.intake.mail_panel import attach_case_diagnosis

    box = tmp_path / "in"
    box.mkdir()
    (box / "b.eml").write_bytes((FIX / "bp-qmail-unknown.eml").read_bytes())
    case_id = for_services(services).import_path(box).lines[0].case_id
    dialog = CaseDetailDialog(CaseDetailController(services, case_id), parent=window)
    qtbot.addWidget(dialog)
    panel = attach_case_diagnosis(dialog, services)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Unconfirmed" in panel.text.text() and "Status: 5.1.1" in panel.text.text()
    qtbot.mouseClick(panel.confirm_button, Qt.LeftButton)
    assert for_services(services).record(case_id)["confirmed_at"] is not None
    assert "Unconfirmed" not in panel.text.text() and panel.confirm_button.isHidden()
