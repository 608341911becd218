"""Data-subject requests: list, model, controller, actions, detail, dialogs, report preview."""
