"""The audit log view."""
