"""Diagnosing 1,000 typical bounces vs the stdlib email parser reading the same messages."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from bench.harness import Row, Side, measure_pair

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mail"


def bounces(n: int) -> list[bytes]:
    """n messages cycling through the test corpus's bounce and report messages (.eml)."""
    files = sorted(p for p in FIXTURES.glob("*.eml") if not p.name.startswith(("msg-", "rfc8601-")))
    data = [p.read_bytes() for p in files]
    return [data[i % len(data)] for i in range(n)]


def mail_row(n: int = 1000, *, runs: int) -> Row:
    from desktop.services.mail import diagnose_bytes, rules

    messages = bounces(n)
    rules()  # the pattern tables are loaded once per process, as in the app

    def app(_):
        for m in messages:
            diagnose_bytes(m)

    def base(_):
        # the same parser and policy the diagnosis uses (compat32), reading what it reads: every
        # part walked, every text part (text/*, including the delivery-status text forms) decoded
        for m in messages:
            msg = email.message_from_bytes(m, policy=email.policy.compat32)
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    part.get_payload(decode=True)

    def bare(_):
        for m in messages:
            email.message_from_bytes(m)

    a, b = measure_pair(Side(app), Side(base), runs=runs)
    _, c = measure_pair(Side(lambda _: None), Side(bare), runs=runs)
    return Row("diagnose", f"diagnose {n:,} bounces", a, b, target=3.0,
               note="baseline = stdlib email.message_from_bytes (compat32, the policy the diagnosis uses) "
                    "walking every part and decoding every text part of the same messages (the test "
                    "corpus's bounces cycled); against a bare "
                    f"compat32 parse without reading the parts ({c.median:.2f}s) the ratio is "
                    f"{a.median / c.median:.1f}x",
               details={"bare_compat32_parse_s": c.median})
