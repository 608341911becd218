"""Access-report PDF, portable export and fonts. No Qt here."""
