"""Qt only: main window, views, table models, dialogs, background jobs."""
