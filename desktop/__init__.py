"""helpdesk-intake: encrypted support-intake desk for an email-delivery helpdesk."""

__version__ = "0.1.0"
APP_NAME = "helpdesk-intake"


def disable_core_dumps() -> None:
    """No core files: a crash must not write decrypted pages or keys to disk (Linux, macOS). Here,
    at the bottom of the package, so the CLI and the page-check child process both use it."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # Windows has no resource module
        pass


BACKGROUND_NICENESS = 10


def run_in_background() -> None:
    """For the window's child processes (the page check, the sweeps): a lower CPU priority, so on
    a busy machine the window a person is typing in gets the processor first (POSIX; elsewhere
    nothing changes)."""
    try:
        import os

        os.nice(BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # Windows has no os.nice
        pass
