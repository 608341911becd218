"""Valid inputs for tests; override what a test is about."""

from __future__ import annotations

from datetime import datetime

FORM = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0001",
    "category": "bounce",
    "description": "Messages to gmail.com bounce with 550 5.7.1",
    "technical_details": "Received: from mx.example.org\n550 5.7.1 rejected",
    "channel": "email",
    "notice_acknowledged": True,
    "not_a_child": True,
    "marketing_consent": False,
}


def form(**overrides: object) -> dict:
    data = dict(FORM)
    data.update(overrides)
    return data


def add_case(services, received_at: datetime | None = None, **overrides: object) -> int:
    data = form(**overrides)
    if received_at is not None:
        data["received_at"] = received_at
    return services.intake.submit(data).case_id
