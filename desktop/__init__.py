"""helpdesk-intake: encrypted support-intake desk for an email-delivery helpdesk."""

__version__ = "0.1.0"
APP_NAME = "helpdesk-intake"
