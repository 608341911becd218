"""The window frame around the feature views: launch, main window, lock/unlock, idle lock, first run, clipboard guard."""
