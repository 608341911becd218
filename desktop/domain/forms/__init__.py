"""Web-form exports (WordPress form plugins and any other CSV/JSON): pure parsing and mapping.

reading: bytes -> text (encoding) -> records with physical line numbers or record indexes.
profiles: each plugin's export layout (data in resources/import_profiles/, passed in as dicts).
values: checkbox answers, formula-prefix removal, dates in the site's time zone.
mapping: which column fills which case field, and one record -> the intake form plus notes.
"""
