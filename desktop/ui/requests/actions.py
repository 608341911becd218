"""What each button of the Requests view does: open the right dialog, call the controller, show the
result in the view's message bar, and run the access report and export on the task runner.

The actions see the view only through ActionHost (the few things they need from it), and find the
handler of a button in an explicit table (RequestActions.handlers), keyed like the detail panel's
buttons (controller.ACTIONS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget

from desktop.ui.requests.controller import (
    RequestsController,
    further_cases,
    rectification_controller,
)
from desktop.ui.requests.dialogs import (
    NewRequestDialog,
    ObjectionDialog,
    PasswordDialog,
    TextDialog,
    VerifyDialog,
)
from desktop.ui.requests.report_preview import PrivateTempDir, ReportPreviewDialog
from desktop.ui.requests.rights_dialogs import (
    CasePickerDialog,
    ConfirmDialog,
    ErasureDialog,
    RecipientsDialog,
)
from desktop.ui.widgets.jobs import Runner
from desktop.ui.widgets.messages import user_message


class ActionHost(Protocol):
    """What the actions need from the Requests view (requests/view.py's RequestsView)."""

    runner: Runner  # the access report and the export run here
    exec_dialog: Callable[[QDialog], int]  # runs a dialog (tests swap it to drive the real widgets)
    ask_export_path: Callable[[QWidget, str], str | None]
    ask_report_path: Callable[[QWidget, str], str | None] | None  # None: the preview's own file dialog

    def selected_id(self) -> int | None: ...

    def reload(self, select: int | None = None) -> None: ...

    def say(self, ok: bool, text: str) -> None: ...  # one line in the view's message bar

    def after_change(self, request_id: int | None, text: str) -> None: ...  # reload, say, changed

    def notify_changed(self) -> None: ...  # what is held about a person changed (a case corrected)

    def progress_dialog(self, text: str) -> QProgressDialog: ...

    def disable_action(self, key: str) -> None: ...  # until the next reload shows the request again


class RequestActions:
    def __init__(self, controller: RequestsController, host: ActionHost, parent: QWidget) -> None:
        self.c = controller
        self.view = host
        self.parent = parent  # the dialogs' parent (the view)
        self.last_preview: ReportPreviewDialog | None = None
        self.handlers: dict[str, Callable[[int], None]] = {
            "start": self.do_start, "verify": self.do_verify, "extend": self.do_extend,
            "complete": self.do_complete, "refuse": self.do_refuse, "report": self.do_report,
            "export": self.do_export, "erase": self.do_erase, "rectify": self.do_rectify,
            "restrict": self.do_restrict, "lift": self.do_lift, "object": self.do_object,
        }

    def run(self, key: str) -> None:
        request_id = self.view.selected_id()
        if request_id is None:
            return
        handler = self.handlers[key]
        try:
            handler(request_id)
        except Exception as exc:  # noqa: BLE001 - never a traceback in the window
            self.view.say(False, user_message(exc))

    def _exec(self, dialog: QDialog) -> bool:
        return self.view.exec_dialog(dialog) == QDialog.Accepted

    def _ref(self, request_id: int) -> str:
        return self.c.services.requests.get(request_id).ref

    # ---- register -------------------------------------------------------------------------------
    def new_request(self, fields: dict | None = None) -> None:
        """fields: a draft kept over a lock (desktop/ui/shell/lock_drafts.py), filled in again."""
        dialog = NewRequestDialog(self.c, parent=self.parent)
        if fields:
            from desktop.ui.widgets.form_state import restore_form_state

            restore_form_state(dialog.inputs, fields)
        self._exec(dialog)
        if dialog.request is not None:
            n = len(dialog.confirmed)
            extra = " " + further_cases(n) if n else ""
            self.view.after_change(dialog.request.id, f"Request {dialog.request.ref} opened.{extra}")

    def do_start(self, request_id: int) -> None:
        self._outcome(request_id, self.c.start_verification(request_id))

    def do_verify(self, request_id: int) -> None:
        dialog = VerifyDialog(self._ref(request_id), self.c.services.staff,
                              lambda method, note: self.c.verify(request_id, method, note), parent=self.parent)
        if self._exec(dialog):
            self._outcome(request_id, dialog.outcome)

    def do_extend(self, request_id: int) -> None:
        dialog = TextDialog(
            f"Extend {self._ref(request_id)}",
            "A request can be extended once, before its first deadline, when it is complex or there are many. "
            "Tell the person about the extension and the reason within the first period.",
            "&Reason for the extension", "&Extend", lambda text: self.c.extend(request_id, text),
            required=True, parent=self.parent)
        if self._exec(dialog):
            self._outcome(request_id, dialog.outcome)

    def do_complete(self, request_id: int) -> None:
        dialog = TextDialog(f"Complete {self._ref(request_id)}", "Record what was done for the person.",
                            "&Outcome", "&Complete request", lambda text: self.c.complete(request_id, text),
                            required=False, parent=self.parent)
        if self._exec(dialog):
            self._outcome(request_id, dialog.outcome)

    def do_refuse(self, request_id: int) -> None:
        dialog = TextDialog(f"Refuse {self._ref(request_id)}",
                            "A refusal needs a reason; it is kept in the register and must be given to the person, "
                            "with their right to complain to a supervisory authority.",
                            "Rea&son for refusing", "&Refuse request", lambda text: self.c.refuse(request_id, text),
                            required=True, parent=self.parent)
        if self._exec(dialog):
            self._outcome(request_id, dialog.outcome)

    def _outcome(self, request_id: int, outcome) -> None:
        if outcome.ok:
            self.view.after_change(request_id, outcome.message)
        else:
            self.view.reload(select=request_id)
            self.view.say(False, outcome.message)

    # ---- release of data (off the GUI thread) ---------------------------------------------------
    def do_report(self, request_id: int) -> None:
        ref = self._ref(request_id)
        ask = PasswordDialog(ref, parent=self.parent)
        if not self._exec(ask):
            return
        password = ask.password or None
        tempdir = PrivateTempDir()
        out = tempdir.file(f"access-report-{ref}.pdf")
        progress = self.view.progress_dialog(f"Generating the access report for {ref}…")
        self.view.disable_action("report")

        def finished(value) -> None:
            progress.close()
            result, req = value
            kwargs = {"ask_path": self.view.ask_report_path} if self.view.ask_report_path else {}
            preview = ReportPreviewDialog(result.path, tempdir, suggested_name=f"access-report-{req.ref}.pdf",
                                          title=f"Access report {req.ref}: preview", password=password,
                                          parent=self.parent, **kwargs)
            self.last_preview = preview
            self.view.exec_dialog(preview)
            tempdir.remove()
            self.view.reload(select=request_id)
            if preview.saved_path is not None:
                self.view.say(True, f"Access report saved as {preview.saved_path} ({result.pages} pages"
                                    f"{', AES-256' if result.encrypted else ''}). Complete the request once it is sent.")
            else:
                self.view.say(True, "Access report discarded; nothing was saved.")

        def failed(exc: BaseException) -> None:
            progress.close()
            tempdir.remove()
            self.view.reload(select=request_id)
            self.view.say(False, "No report: " + user_message(exc))

        self.view.runner.run_task(self.c.report_job(request_id, out, password), finished, failed,
                                  progress=lambda done, total: (progress.setMaximum(total), progress.setValue(done)))

    def do_export(self, request_id: int) -> None:
        ref = self._ref(request_id)
        chosen = self.view.ask_export_path(self.parent, f"export-{ref}.zip")
        if not chosen:
            return
        path = chosen if chosen.lower().endswith(".zip") else chosen + ".zip"
        progress = self.view.progress_dialog(f"Writing the portable export for {ref}…")

        def finished(value) -> None:
            progress.close()
            result, _req = value
            self.view.reload(select=request_id)
            self.view.say(True, f"Export saved as {result.path} ({len(result.files)} files). "
                                "Complete the request once it is sent.")

        def failed(exc: BaseException) -> None:
            progress.close()
            self.view.reload(select=request_id)
            self.view.say(False, "No export: " + user_message(exc))

        self.view.runner.run_task(self.c.export_job(request_id, path), finished, failed,
                                  progress=lambda done, total: (progress.setMaximum(total), progress.setValue(done)))

    # ---- rights that change what is held ---------------------------------------------------------
    def do_erase(self, request_id: int) -> None:
        ref = self._ref(request_id)
        dialog = ErasureDialog(ref, self.c.erasure_plan(request_id), lambda: self.c.erase(request_id),
                               parent=self.parent)
        if not self._exec(dialog):
            return
        result = dialog.outcome.value
        self.view.after_change(request_id, result.outcome)
        self.view.exec_dialog(RecipientsDialog(f"Erasure for {ref} done", result.outcome, result.recipients,
                                               parent=self.parent))

    def do_restrict(self, request_id: int) -> None:
        ref = self._ref(request_id)
        dialog = TextDialog(f"Restrict processing for {ref}",
                            "The person's data is kept but not used: their cases become read-only, no new case "
                            "can be added for them and they are left out of every processing list until the "
                            "restriction is lifted.", "Rea&son", "&Restrict processing",
                            lambda text: self.c.restrict(request_id, text), required=False, parent=self.parent)
        if self._exec(dialog):
            self._recipients(request_id, f"Restriction for {ref}", dialog.outcome)

    def do_lift(self, request_id: int) -> None:
        ref = self._ref(request_id)
        dialog = ConfirmDialog(f"Lift the restriction for {ref}",
                               "Processing of the person's data will be allowed again. The person must be told "
                               "before the restriction is lifted (Art. 18(3)).",
                               "The person has been &told", "&Lift restriction",
                               lambda: self.c.lift(request_id), parent=self.parent)
        if self._exec(dialog):
            self._recipients(request_id, f"Restriction lifted for {ref}", dialog.outcome)

    def do_object(self, request_id: int) -> None:
        ref = self._ref(request_id)
        dialog = ObjectionDialog(ref, lambda kind, text: self.c.object(request_id, kind, text), parent=self.parent)
        if self._exec(dialog):
            self._recipients(request_id, f"Objection for {ref}", dialog.outcome,
                             nobody="No recipient received this person's data for what the objection is about "
                                    "(Settings › Recipients says what each receives): nobody to tell.")

    def _recipients(self, request_id: int, title: str, outcome, **kw) -> None:
        self.view.after_change(request_id, outcome.message)
        self.view.exec_dialog(RecipientsDialog(title, outcome.message, list(outcome.value.recipients),
                                               parent=self.parent, **kw))

    def do_rectify(self, request_id: int) -> None:
        from desktop.ui.cases.detail import CaseDetailDialog

        ref = self._ref(request_id)
        cases = self.c.covered_cases(request_id)
        if not cases:
            self.view.say(False, f"{ref} covers no case: confirm the person's cases first.")
            return
        case_id = cases[0].case_id
        if len(cases) > 1:
            picker = CasePickerDialog(ref, cases, parent=self.parent)
            if not self._exec(picker) or picker.chosen() is None:
                return
            case_id = picker.chosen()
        dialog = CaseDetailDialog(rectification_controller(self.c.services, request_id, case_id), parent=self.parent)
        dialog.setWindowTitle(f"Case {case_id}: rectification for {ref}")
        dialog.changed.connect(lambda _cid: self.view.notify_changed())
        self.view.exec_dialog(dialog)
        self.view.reload(select=request_id)
        self.view.say(True, f"Corrections to case {case_id} are kept with {ref} in its change history.")
