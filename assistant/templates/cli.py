"""`python -m assistant templates ...`: list, show, diff, approve and lint the templates."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from assistant.db.engine import make_engine, make_session_factory
from assistant.db.migrate import upgrade_to_head
from assistant.db.models import StaffUser
from assistant.settings import ROOT, Settings, get_settings
from assistant.templates import approval, lint
from assistant.templates.domain import faq_domain, write_faq_domain
from assistant.templates.registry import Template, TemplateRegistry

FAQ_DOMAIN = ROOT / "domain" / "faq.yml"


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    templates = commands.add_parser("templates", help="list, show, diff, approve, lint templates")
    actions = templates.add_subparsers(dest="templates_command", required=True)
    actions.add_parser("list", help="every template with its version and approval state")
    show = actions.add_parser("show", help="one template in full")
    show.add_argument("template_id")
    diff = actions.add_parser("diff", help="what changed since the approval in force")
    diff.add_argument("template_id")
    approve = actions.add_parser("approve", help="approve the current text as a clinician")
    approve.add_argument("template_id")
    approve.add_argument("--by", required=True, help="the clinician's sign-in e-mail")
    actions.add_parser("lint", help="the checks `make test` runs on templates and responses")
    domain = actions.add_parser("domain", help="Rasa's FAQ responses generated from templates")
    domain.add_argument(
        "--write", action="store_true", help=f"write {FAQ_DOMAIN.relative_to(ROOT)}"
    )


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    registry = TemplateRegistry.load(settings.templates_dir)
    command = args.templates_command
    if command == "list":
        for template in registry:
            print(_summary(template))
        return 0
    if command == "lint":
        problems = run_lint(registry)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {len(list(registry))} templates")
        return 1 if problems else 0
    if command == "domain":
        if args.write:
            changed = write_faq_domain(registry, FAQ_DOMAIN)
            print(f"{FAQ_DOMAIN.relative_to(ROOT)} {'written' if changed else 'already current'}")
        else:
            print(faq_domain(registry), end="")
        return 0
    found = registry.get(args.template_id)
    if found is None:
        print(f"no template {args.template_id!r} (see `templates list`)", file=sys.stderr)
        return 2
    if command == "show":
        print(_details(found))
        return 0
    return _with_database(settings, registry, found, args)


def run_lint(registry: TemplateRegistry) -> list[lint.Problem]:
    practices = lint.sample_practices(ROOT / "examples")
    return (
        lint.lint_templates(registry, practices)
        + lint.lint_domain_responses(lint.load_domain_responses(ROOT / "domain"), registry)
        + lint.lint_actions(ROOT / "actions")
        + _stale_domain(registry)
    )


def _stale_domain(registry: TemplateRegistry) -> list[lint.Problem]:
    if FAQ_DOMAIN.exists() and FAQ_DOMAIN.read_text(encoding="utf-8") == faq_domain(registry):
        return []
    return [
        lint.Problem(
            str(FAQ_DOMAIN.relative_to(ROOT)), "out of date: run `templates domain --write`"
        )
    ]


def _with_database(
    settings: Settings, registry: TemplateRegistry, template: Template, args: argparse.Namespace
) -> int:
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    try:
        with make_session_factory(engine)() as session:
            if args.templates_command == "diff":
                result = approval.diff_against_approval(session, template)
                state = "sendable" if result.sendable else "NOT sendable (changed since approval)"
                print(f"{template.id}: {state}")
                if result.diff is None:
                    print("no copy of the approved words in this database: approved in the files")
                elif result.diff:
                    print(result.diff)
                return 0
            staff = session.scalars(select(StaffUser).where(StaffUser.email == args.by)).first()
            if staff is None:
                print(f"no staff member with e-mail {args.by!r}", file=sys.stderr)
                return 2
            try:
                row = approval.approve(
                    session,
                    registry=registry,
                    template_id=template.id,
                    staff=staff,
                    now=datetime.now(UTC),
                )
            except approval.ApprovalRefused as exc:
                print(f"refused: {exc}", file=sys.stderr)
                return 1
            session.commit()
            print(f"{template.id} v{row.version} approved by {staff.name} ({staff.role})")
            return 0
    finally:
        engine.dispose()


def _summary(template: Template) -> str:
    state = "sendable" if template.sendable else "NOT SENDABLE"
    return f"{template.id:50} v{template.version:<3} {state:12} {template.title or ''}"


def _details(template: Template) -> str:
    path = template.path.relative_to(ROOT) if template.path else Path("?")
    lines = [
        f"id:       {template.id}",
        f"kind:     {template.kind}",
        f"version:  {template.version}",
        f"file:     {path}",
    ]
    if template.title:
        lines.append(f"title:    {template.title}")
    if template.case:
        lines.append(f"opens:    a {template.case} staff task")
    lines += [
        f"source:   {template.source}",
        f"approved: {template.approved_by or '-'} at {template.approved_at or '-'}",
        f"state:    {'sendable' if template.sendable else 'NOT sendable (changed since approval)'}",
        "",
        template.text,
    ]
    return "\n".join(lines)
