"""Offline delivery diagnosis: bounces (RFC 3464 and non-standard), SES notifications and
authentication headers, classified into the app's seven categories. Pure functions."""

from desktop.domain.diagnosis.engine import diagnose, is_bounce
from desktop.domain.diagnosis.model import AuthCheck, Diagnosis, HeaderReport, Hop, RecipientResult
from desktop.domain.diagnosis.rules import CATEGORIES, Rules, load_rules

__all__ = ["diagnose", "is_bounce", "Diagnosis", "RecipientResult", "AuthCheck", "HeaderReport", "Hop",
           "Rules", "load_rules", "CATEGORIES"]
