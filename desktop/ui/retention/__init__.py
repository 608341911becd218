"""Retention in the GUI: the sweep dialog, the sweep scheduler, retention wording for cells."""
