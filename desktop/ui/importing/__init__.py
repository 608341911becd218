"""File › Import…: the web-form import wizard (feature folder: controller + view)."""
