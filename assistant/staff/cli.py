"""`python -m assistant staff ...`: invite a person (the first admin of a new practice too),
send a reset link, disable or enable an account, list a practice's staff. Links print here
once; give them to the person by a channel you trust."""

import argparse
from datetime import UTC, datetime

from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.models import Practice, StaffUser
from assistant.db.models.practice import STAFF_ROLES
from assistant.errors import Refused
from assistant.settings import get_settings
from assistant.staff import accounts
from assistant.staff.auth import staff_by_email

ACTOR = "cli"


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    staff = commands.add_parser("staff", help="invite, reset, disable, enable and list staff")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    invite = actions.add_parser("invite", help="a new account and its one-time link (72 hours)")
    invite.add_argument("email")
    invite.add_argument("--role", required=True, choices=STAFF_ROLES)
    invite.add_argument("--name", required=True, help="the person's full name")
    invite.add_argument("--practice", required=True, help="the practice's slug")
    invite.add_argument("--phone", default="", help="for pages when on call (E.164 or US)")
    for name, text in (
        ("reset", "a one-time link (1 hour) that sets a new password"),
        ("disable", "no sign-in, session or link works any more"),
        ("enable", "the account may sign in again (a reset link sets its password)"),
    ):
        actions.add_parser(name, help=text).add_argument("email")
    listed = actions.add_parser("list", help="a practice's staff and their state")
    listed.add_argument("--practice", required=True)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    now = datetime.now(UTC)
    try:
        with make_session_factory(engine)() as session:
            command = args.staff_command
            if command in ("invite", "list"):
                practice = session.scalars(
                    select(Practice).where(Practice.slug == args.practice)
                ).first()
                if practice is None:
                    print(f"no practice {args.practice!r}")
                    return 2
                if command == "list":
                    for person in session.scalars(
                        select(StaffUser)
                        .where(StaffUser.practice_id == practice.id)
                        .order_by(StaffUser.email)
                    ):
                        print(_summary(person))
                    return 0
                link = accounts.invite(
                    session,
                    practice=practice,
                    email=args.email,
                    name=args.name,
                    role=args.role,
                    phone=args.phone,
                    actor=ACTOR,
                    base_url=settings.public_base_url,
                    now=now,
                )
            else:
                staff = staff_by_email(session, args.email)
                if staff is None:
                    print(f"no account {args.email!r}")
                    return 2
                if command == "reset":
                    link = accounts.reset_link(
                        session,
                        staff=staff,
                        actor=ACTOR,
                        base_url=settings.public_base_url,
                        now=now,
                    )
                elif command == "disable":
                    accounts.disable(session, staff=staff, actor=ACTOR, now=now)
                    session.commit()
                    print(f"{staff.email} is disabled; every session of it has ended")
                    return 0
                else:
                    accounts.enable(session, staff=staff, actor=ACTOR)
                    session.commit()
                    print(f"{staff.email} may sign in again")
                    return 0
            session.commit()
    except Refused as refusal:
        print(str(refusal))
        return 2
    finally:
        engine.dispose()
    print(
        f"{link.purpose} link for {link.staff.email}, until {link.expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    print(link.url)
    return 0


def _summary(staff: StaffUser) -> str:
    state = "active" if staff.active else "disabled"
    password = "password set" if staff.password_hash else "no password yet"
    two_step = ", two-step on" if staff.totp_secret else ""
    return f"{staff.email}\t{staff.role}\t{staff.name}\t{state}, {password}{two_step}"
