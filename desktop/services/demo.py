"""Realistic fake support requests (Faker) for trying the app out and for benchmarks.

Deterministic for a given seed and clock time. Fast: Faker fills small pools of names, user
names and domains once; every row is then assembled from the pools with one seeded
random.Random, so 100,000 rows take seconds, not minutes. Rows are built as validated
IntakeData (the same values validate_intake produces; tests check this on samples) and go in
through IntakeService.store_many, in batches, inside one transaction per batch.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from desktop.domain.models import Category, Channel, IntakeData, Status
from desktop.services.context import Context
from desktop.services.intake import IntakeService

LOCALES = ("en_GB", "en_US", "de_DE", "fr_FR", "pl_PL", "el_GR", "ru_RU", "ja_JP")
LOCALE_WEIGHTS = (24, 16, 14, 8, 12, 8, 10, 8)
PHONE_REGIONS = {"en_GB": "GB", "en_US": "US", "de_DE": "DE", "fr_FR": "FR", "pl_PL": "PL",
                 "el_GR": "GR", "ru_RU": "RU", "ja_JP": "JP"}
CHANNELS = (Channel.WEB_FORM, Channel.EMAIL, Channel.CHAT, Channel.PHONE, Channel.IN_PERSON)
CHANNEL_WEIGHTS = (40, 35, 12, 10, 3)
CATEGORY_WEIGHTS = {Category.BOUNCE: 26, Category.AUTH_RECORDS: 18, Category.SPAM_FOLDER: 16,
                    Category.SMTP_AUTH: 14, Category.CONNECTION_TLS: 12, Category.RATE_LIMIT: 9,
                    Category.OTHER: 5}
SPAN_DAYS = 3 * 365
# A desk as it looks on a normal day (`helpdesk-intake demo`): cases from the last eleven months, so
# the shipped retention rules have nothing overdue (a closed case is anonymised a year after
# closing), and the phone numbers and technical details of cases closed longer ago than the shipped
# 30 and 90 days are already gone, as earlier sweeps would have left them. The benchmarks use the
# three-year spread (desk=False), whose first sweep removes about half of the cases.
DESK_SPAN_DAYS = 330
DESK_PHONE_DAYS, DESK_TECHNICAL_DAYS = 30, 90
REPEAT_SHARE = 0.15  # share of cases from someone who wrote before (same email)
POOL = 400  # names / user names per locale

MAILERS = ("Gmail / Google Workspace", "Microsoft 365", "Outlook.com", "SendGrid", "Mailgun",
           "Amazon SES", "Brevo", "Postmark", "SparkPost", "Zoho Mail", "SMTP.com", "Other SMTP")
RECIPIENT_DOMAINS = ("gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "gmx.de",
                     "web.de", "t-online.de", "orange.fr", "free.fr", "wp.pl", "onet.pl", "interia.pl",
                     "otenet.gr", "mail.ru", "yandex.ru", "docomo.ne.jp", "yahoo.co.jp", "aol.com")
BOUNCES = (
    ("550 5.1.1", "The email account that you tried to reach does not exist"),
    ("550 5.7.1", "Message rejected due to local policy"),
    ("554 5.7.26", "Unauthenticated email is not accepted from this domain (DMARC)"),
    ("550 5.7.350", "Remote server returned message detected as spam"),
    ("552 5.2.2", "The recipient's mailbox is full"),
    ("553 5.7.1", "Sender address rejected: not owned by user"),
    ("550 5.4.1", "Recipient address rejected: Access denied"),
    ("554 5.7.1", "Service unavailable; Client host blocked using Spamhaus"),
)
TEMPORARY = (("421 4.7.0", "Try again later, closing connection"),
             ("451 4.7.1", "Greylisted, please try again in 300 seconds"),
             ("450 4.2.1", "The user you are trying to contact is receiving mail too quickly"))
TLS_ERRORS = ("SSL routines::wrong version number", "certificate verify failed: unable to get local issuer certificate",
              "STARTTLS command failed: 454 4.7.0 TLS not available", "handshake failure (TLS 1.0 disabled)",
              "Connection timed out on port 465", "Connection refused on port 587")
OPENERS = ("Hi,", "Hello support,", "Good morning,", "Hi team,", "Hello,", "Dear support,", "")
CLOSERS = ("Thanks in advance.", "Can you help?", "This is urgent for us.", "Any ideas?",
           "We changed nothing on our side.", "Please advise.", "")
LOCAL_NOTES = {  # a sentence in the person's language, sometimes, so search and reports see non-Latin text
    "el_GR": "Τα μηνύματα δεν φτάνουν στους παραλήπτες μας.",
    "ru_RU": "Письма не доходят до получателей.",
    "ja_JP": "メールが相手に届きません。",
    "pl_PL": "Wiadomości nie docierają do odbiorców, proszę o pomoc.",
    "de_DE": "Die E-Mails kommen beim Empfänger nicht an.",
    "fr_FR": "Les e-mails n'arrivent pas chez nos clients.",
}
_ASCII_LOCAL = re.compile(r"^[a-z0-9][a-z0-9._]{1,40}$")


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str | None
    locale: str


@dataclass(frozen=True)
class DemoCase:
    data: IntakeData
    status: Status
    closed_at: datetime | None
    last_activity_at: datetime


def _phone_pool(rng: random.Random, per_region: int) -> dict[str, list[str]]:
    import phonenumbers

    pools: dict[str, list[str]] = {}
    for region in sorted(set(PHONE_REGIONS.values())):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        out: list[str] = []
        for _ in range(per_region * 4):
            if len(out) >= per_region:
                break
            keep = max(3, len(national) - 6)
            digits = national[:keep] + "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
            number = phonenumbers.parse(f"+{example.country_code}{digits}", None)
            if phonenumbers.is_valid_number(number):
                out.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        pools[region] = out or [phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)]
    return pools


class DemoGenerator:
    """Yields DemoCase rows in received order, spread over the SPAN_DAYS before `now`."""

    def __init__(self, seed: int, now: datetime, *, notice_version: str = "demo", desk: bool = False) -> None:
        from faker import Faker

        self.desk = desk
        self.span_days = DESK_SPAN_DAYS if desk else SPAN_DAYS
        self.seed = seed
        self.now = now
        self.notice_version = notice_version
        self.rng = random.Random(seed)
        self.names: dict[str, list[str]] = {}
        self.users: dict[str, list[str]] = {}
        self.domains: dict[str, list[str]] = {}
        for n, loc in enumerate(LOCALES):
            fake = Faker(loc)
            fake.seed_instance(seed * 31 + n)
            self.names[loc] = [fake.name() for _ in range(POOL)]
            users = {u.lower() for u in (fake.user_name() for _ in range(POOL))}
            self.users[loc] = sorted(u for u in users if _ASCII_LOCAL.match(u)) or ["user"]
            domains = {fake.free_email_domain() for _ in range(40)} | {fake.domain_name() for _ in range(20)}
            self.domains[loc] = sorted(d.lower() for d in domains if d.isascii())
        self.phones = _phone_pool(self.rng, 300)
        self.people: list[Person] = []
        self._emails: set[str] = set()
        self._categories = list(CATEGORY_WEIGHTS)
        self._category_weights = list(CATEGORY_WEIGHTS.values())

    # ---- people -----------------------------------------------------------------------------
    def _new_person(self) -> Person:
        rng = self.rng
        loc = rng.choices(LOCALES, LOCALE_WEIGHTS)[0]
        name = rng.choice(self.names[loc])
        local = rng.choice(self.users[loc])
        if rng.random() < 0.5:
            local += str(rng.randint(1, 99))
        email = f"{local}@{rng.choice(self.domains[loc])}"
        while email in self._emails:
            email = f"{local}{rng.randint(100, 99999)}@{rng.choice(self.domains[loc])}"
        self._emails.add(email)
        phone = rng.choice(self.phones[PHONE_REGIONS[loc]]) if rng.random() < 0.7 else None
        person = Person(name, email, phone, loc)
        self.people.append(person)
        return person

    def _person(self) -> Person:
        if self.people and self.rng.random() < REPEAT_SHARE:
            return self.rng.choice(self.people)
        return self._new_person()

    # ---- text ---------------------------------------------------------------------------------
    def _description(self, category: Category, person: Person) -> tuple[str, str | None]:
        rng = self.rng
        dom = rng.choice(RECIPIENT_DOMAINS)
        mailer = rng.choice(MAILERS)
        own = person.email.split("@", 1)[1]
        ip = f"{rng.choice(('203.0.113', '198.51.100', '192.0.2'))}.{rng.randint(1, 254)}"
        stamp = (self.now - timedelta(days=rng.randint(0, self.span_days))).strftime("%Y-%m-%d %H:%M:%S")
        tech: str | None = None
        if category == Category.BOUNCE:
            code, text = rng.choice(BOUNCES)
            body = f"Emails from our WordPress site to {dom} addresses bounce with '{code} {text}' since we switched to {mailer}."
            tech = (f"{stamp} SMTP ERROR: RCPT TO command failed: {code} <customer@{dom}>: {text}\n"
                    f"{stamp} SMTP Error: The following recipients failed: customer@{dom}\n"
                    f"Reporting-MTA: dns; mail.{own}\nDiagnostic-Code: smtp; {code} {text}")
        elif category == Category.AUTH_RECORDS:
            which = rng.choice(("SPF", "DKIM", "DMARC"))
            body = f"{dom} shows {which} fail for mail sent through {mailer}, although we added the DNS record for {own}."
            tech = (f"Authentication-Results: mx.{dom}; spf={'fail' if which == 'SPF' else 'pass'} "
                    f"smtp.mailfrom={own}; dkim={'fail' if which == 'DKIM' else 'pass'} header.d={own}; "
                    f"dmarc={'fail' if which == 'DMARC' else 'pass'} (p=QUARANTINE) header.from={own}\n"
                    f"Received-SPF: {'softfail' if which == 'SPF' else 'pass'} ({dom}: domain of {own} "
                    f"does not designate {ip} as permitted sender) client-ip={ip};")
        elif category == Category.SPAM_FOLDER:
            body = f"Our order confirmations land in the spam folder at {dom}; {mailer} reports them as delivered."
            tech = (f"X-Spam-Status: Yes, score={rng.randint(50, 120) / 10} required=5.0\n"
                    f"X-Spam-Flag: YES\nReceived: from mail.{own} ([{ip}]) by mx.{dom} with ESMTPS id {rng.getrandbits(40):x}")
        elif category == Category.SMTP_AUTH:
            body = f"The plugin cannot log in to {mailer}: '535 5.7.8 Authentication credentials invalid' after we changed the password."
            tech = (f"{stamp} SMTP ERROR: Password command failed: 535 5.7.8 Username and Password not accepted\n"
                    f"{stamp} SMTP Error: Could not authenticate.") if rng.random() < 0.8 else None
        elif category == Category.CONNECTION_TLS:
            err = rng.choice(TLS_ERRORS)
            body = f"Test email fails with a TLS error when connecting to {mailer}: {err}."
            tech = f"{stamp} Connection: opening to smtp.{dom}:587, timeout=300\n{stamp} SMTP ERROR: {err}"
        elif category == Category.RATE_LIMIT:
            code, text = rng.choice(TEMPORARY)
            body = f"Mail to {dom} is deferred with '{code} {text}'; our IP {ip} may be on a blocklist."
            tech = f"{stamp} SMTP ERROR: DATA END command failed: {code} {text}\nQueue-ID: {rng.getrandbits(36):X}"
        else:
            body = f"The email log in the plugin stays empty although {mailer} shows messages sent to {dom}."
        parts = [rng.choice(OPENERS), body]
        if person.locale in LOCAL_NOTES and rng.random() < 0.3:
            parts.append(LOCAL_NOTES[person.locale])
        parts.append(rng.choice(CLOSERS))
        if rng.random() < 0.4:
            tech = None
        return " ".join(p for p in parts if p), tech

    # ---- cases ----------------------------------------------------------------------------------
    def cases(self, count: int) -> Iterator[DemoCase]:
        rng = self.rng
        start = self.now - timedelta(days=self.span_days)
        span = (self.now - start).total_seconds() - 60
        for i in range(count):
            received = start + timedelta(seconds=int(span * (i + rng.random()) / max(count, 1)))
            person = self._person()
            category = rng.choices(self._categories, self._category_weights)[0]
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            description, tech = self._description(category, person)
            data = IntakeData(
                name=person.name, email=person.email, phone=person.phone, category=category,
                description=description, technical_details=tech, channel=channel, received_at=received,
                notice_version=self.notice_version, notice_acknowledged_at=received,
                marketing_consent=rng.random() < 0.1,
            )
            age = (self.now - received).days
            worked = received + timedelta(hours=rng.randint(1, 24 * 20))
            worked = min(worked, self.now)
            if age > 30 and rng.random() < 0.75:
                if self.desk:  # what earlier sweeps left of a case closed that long ago
                    since = (self.now.date() - worked.date()).days  # the sweep counts whole days
                    data = replace(data, phone=None if since >= DESK_PHONE_DAYS else data.phone,
                                   technical_details=None if since >= DESK_TECHNICAL_DAYS else data.technical_details)
                yield DemoCase(data, Status.CLOSED, worked, worked)
            else:
                status = rng.choices((Status.OPEN, Status.WAITING, Status.RESOLVED), (5, 3, 2))[0]
                yield DemoCase(data, status, None, received if status == Status.OPEN else worked)


def web_form_record(case: DemoCase) -> dict[str, str]:
    d = case.data
    return {"name": d.name, "email": d.email, "phone": d.phone or "", "category": d.category.value,
            "description": d.description, "technical_details": d.technical_details or "",
            "channel": Channel.WEB_FORM.value, "received_at": d.received_at.isoformat(),
            "marketing_consent": "yes" if d.marketing_consent else "no", "over_13": "yes"}


FORM_FIELDS = ("name", "email", "phone", "category", "description", "technical_details", "channel",
               "received_at", "marketing_consent", "over_13")


def write_web_form_file(path: Path, count: int, *, seed: int, now: datetime) -> Path:
    """Web-form submissions as .csv or .json (by suffix), as the website would export them."""
    path = Path(path)
    records = (web_form_record(c) for c in DemoGenerator(seed, now).cases(count))
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=FORM_FIELDS)
            writer.writeheader()
            writer.writerows(records)
    else:
        with path.open("w", encoding="utf-8") as fh:
            json.dump({"submissions": list(records)}, fh, ensure_ascii=False, indent=1)
    return path


@dataclass
class DemoReport:
    cases: int
    people: int
    closed: int
    requests: int = 0


class DemoService:
    """Fills a store with generated cases through the normal intake path (store_many)."""

    def __init__(self, ctx: Context, intake: IntakeService, requests=None) -> None:
        self.ctx = ctx
        self.intake = intake
        self.requests = requests  # RequestService: the desk's open data-subject requests

    def fill(self, count: int, *, seed: int = 1, batch: int = 5000, desk: bool = False,
             progress: Callable[[int, int], None] | None = None) -> DemoReport:
        """desk: a normal day at the desk (recent cases, a few requests due soon); else the
        three-year spread the benchmarks measure."""
        gen = DemoGenerator(seed, self.ctx.now(), notice_version=self.intake.settings.notice_version, desk=desk)
        done = closed = 0
        pending: list[DemoCase] = []

        def flush() -> None:
            nonlocal done, closed
            with self.ctx.vault.transaction():
                results = self.intake.store_many([c.data for c in pending], source="demo")
                for result, case in zip(results, pending, strict=True):
                    fields: dict[str, object] = {"last_activity_at": case.last_activity_at}
                    if case.status != Status.OPEN:
                        fields["status"] = case.status
                    if case.closed_at is not None:
                        fields["closed_at"] = case.closed_at
                        closed += 1
                    self.ctx.cases.update(result.case_id, **fields)
                self.ctx.notify_cases_changed([r.case_id for r in results])
            done += len(pending)
            pending.clear()
            if progress:
                progress(done, count)

        for case in gen.cases(count):
            pending.append(case)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        opened = self._desk_requests(gen) if desk and self.requests is not None and gen.people else 0
        self.ctx.audit("demo.fill", "store", f"count={done};seed={seed};requests={opened}")
        return DemoReport(cases=done, people=len(gen.people), closed=closed, requests=opened)

    def _desk_requests(self, gen: DemoGenerator) -> int:
        """A few data-subject requests as a desk has them: two due within the week, two with time
        left, one answered; none overdue. (type, received days ago, verified, completed)"""
        plan = (("access", 25, True, False), ("erasure", 26, False, False), ("rectification", 9, False, False),
                ("objection", 2, False, False), ("access", 40, True, True))
        people = sorted({p.email for p in gen.people})
        pick = random.Random(gen.seed + 7)
        now = self.ctx.now()
        for (rtype, days, verified, completed), email in zip(plan, pick.sample(people, min(len(plan), len(people))),
                                                            strict=False):
            req = self.requests.open(rtype, email, received_at=now - timedelta(days=days, hours=3),
                                     channel="email").request
            if verified:
                self.requests.record_verification(req.id, "reply_from_address")
            if completed:
                self.requests.complete(req.id, "Access report sent by email.")
        return min(len(plan), len(people))
