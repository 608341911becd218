"""One pattern for the dialogs that submit something (verify, a reason, objection, password, erasure,
a confirmation, a legal hold): what it is about and its fields on top, then one error line and the
buttons (the named OK and Cancel). OK calls submit(); a refusal is shown in the error line and the
dialog stays open (fail), a success keeps the outcome and closes it (succeed).

A subclass builds its fields into self.layout() and then calls add_footer(ok_text, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktop.ui.widgets.style import error_label


class OutcomeDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = None  # what submit() got back, once it succeeded
        self.setWindowTitle(title)
        QVBoxLayout(self)

    def add_footer(self, ok_text: str, error_name: str, *, needs: QCheckBox | None = None,
                   stretch: bool = False) -> None:
        """The error line (accessible as error_name), then OK (ok_text) and Cancel. With `needs`, OK
        is enabled only while that box is ticked and is not the default button (Enter does not press
        it); `stretch` puts the free space above the buttons."""
        layout = self.layout()
        self.error = error_label(error_name)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.Cancel)
        if needs is None:
            self.ok_button.setDefault(True)  # Enter submits
        else:  # not the default button: Enter on the tick box must not submit a ticked step
            self.ok_button.setEnabled(False)
            needs.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        if stretch:
            layout.addStretch(1)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        raise NotImplementedError

    def fail(self, text: str) -> None:
        """Show why it did not happen; the dialog stays open."""
        self.error.setText(text)
        self.error.show()

    def succeed(self, outcome=None) -> None:
        self.outcome = outcome
        self.accept()

    def submit_outcome(self, outcome) -> None:
        """An Outcome from a controller: its message in the error line, or done."""
        if not outcome.ok:
            self.fail(outcome.message)
            return
        self.succeed(outcome)
