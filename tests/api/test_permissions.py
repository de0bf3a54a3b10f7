"""Every staff route checks the one permission table, for every role (issue 18): walk the
api's routes, sign in as each role of the demo practices, and call each route."""

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.deps import require_internal_token
from api.internal_main import INTERNAL_ROUTE_MODULES
from api.main import ROUTE_MODULES
from assistant.db.engine import make_engine
from assistant.db.migrate import upgrade_to_head
from assistant.demo.seed import DEMO_STAFF_PASSWORD
from assistant.safety.triage import Triage
from assistant.staff.permissions import ROLE_PERMISSIONS, Permission, allowed
from tests.api.conftest import demo_app
from tests.conftest import with_demo_data

# One demo account per role.
ACCOUNTS = {
    "nurse": "jordan.reyes@cedar-vet.example.org",
    "oncologist": "evelyn.hart@cedar-vet.example.org",
    "admin": "pat.sullivan@cedar-vet.example.org",
    "billing": "renee.dubois@cedar-vet.example.org",
    "surgeon": None,  # found in the surgical demo practice below
}
# Open to anyone by design: clients, Twilio, sign-in, and page shells whose data comes from
# permission-checked routes.
PUBLIC = {
    "/health",
    "/api/v1/practices",
    "/api/v1/chat/{practice}/messages",
    "/api/v1/chat/{practice}/staff-replies",
    "/chat/{practice}",
    "/login",
    "/logout",
    "/twilio/sms",
    "/twilio/status",
    "/nurse",
    "/billing",
    "/nurse/cases/{case_id}",
    "/coordination",
    # The second step of a sign-in: only after the right password, in the same browser.
    "/login/code",
    # Any signed-in person, for their own account only.
    "/account/password",
    "/account/two-factor",
    "/account/two-factor/off",
    # A one-time link's own page: the token is the permission (assistant/staff/accounts.py).
    "/account/setup/{token}",
}


def permissions_of(dependant: Dependant) -> list[tuple[Permission, ...]]:
    found = list(
        getattr(dependant.call, "permissions", None) and [dependant.call.permissions] or []
    )
    for sub in dependant.dependencies:
        found += permissions_of(sub)
    return found


ROUTES = [
    (method, route.path, permissions_of(route.dependant))
    for module in ROUTE_MODULES
    for route in module.router.routes
    if isinstance(route, APIRoute)
    for method in sorted(route.methods)
]
GUARDED = [(m, path, p[0]) for m, path, p in ROUTES if p]


def test_every_route_is_public_by_design_or_checks_a_permission() -> None:
    unchecked = [(m, path) for m, path, found in ROUTES if not found and path not in PUBLIC]

    assert unchecked == []
    assert all(len(found) <= 1 for _, _, found in ROUTES)  # one check per route


def calls(dependant: Dependant) -> set[object]:
    return {dependant.call} | {call for sub in dependant.dependencies for call in calls(sub)}


def test_the_action_servers_routes_are_only_on_its_own_listener_and_need_its_token() -> None:
    internal = [
        route
        for module in INTERNAL_ROUTE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute)
    ]

    assert len(internal) >= 10
    assert all(require_internal_token in calls(route.dependant) for route in internal)
    assert not [path for _, path, _ in ROUTES if path.startswith("/internal")]


def test_every_role_in_the_table_is_a_known_role() -> None:
    assert set(ROLE_PERMISSIONS) == set(ACCOUNTS)
    # Billing staff: billing cases and billing records only.
    assert ROLE_PERMISSIONS["billing"] == {
        Permission.VIEW_BILLING,
        Permission.ANSWER_BILLING_CASES,
        Permission.VIEW_STAFF,
    }


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, triage: Triage) -> Iterator[FastAPI]:
    # One app for every role and route: a module's own database, migrated once.
    database = tmp_path_factory.mktemp("permissions") / "db.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    yield demo_app(with_demo_data(engine), triage)
    engine.dispose()


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    from sqlalchemy import select

    from assistant.db.models import StaffUser

    state = app.state.assistant
    with state.sessions() as session:
        surgeon = session.scalars(
            select(StaffUser.email).where(StaffUser.role == "surgeon")
        ).first()
    accounts = {**ACCOUNTS, "surgeon": surgeon}
    signed_in = {}
    for role, email in accounts.items():
        client = TestClient(app)
        response = client.post(
            "/login", data={"email": email, "password": DEMO_STAFF_PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303, (role, response.text)
        signed_in[role] = client
    yield signed_in


def _call(client: TestClient, method: str, path: str) -> httpx.Response:
    # Ids nobody has: a permitted role gets past the check to a 404 or a 422, never a 403.
    url = re.sub(r"\{[^}]+\}", "999999", path)
    body = {} if method in ("POST", "PUT") else None
    return client.request(method, url, json=body, follow_redirects=False)


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_each_role_gets_exactly_what_the_table_gives_it(
    clients: dict[str, TestClient], role: str
) -> None:
    wrong = []
    for method, path, needed in GUARDED:
        response = _call(clients[role], method, path)
        may = any(allowed(role, permission) for permission in needed)
        refused = response.status_code == 403
        if may == refused:
            wrong.append((method, path, response.status_code))

    assert wrong == []


def test_signed_out_callers_are_refused_everywhere_guarded(app: FastAPI) -> None:
    anonymous = TestClient(app)
    answers = {(m, path): _call(anonymous, m, path).status_code for m, path, _ in GUARDED}

    assert {code for code in answers.values()} <= {401, 303}


def test_a_case_goes_only_to_someone_who_may_answer_it_and_billing_cannot_read_it(
    app: FastAPI, clients: dict[str, TestClient]
) -> None:
    from sqlalchemy import select

    from assistant.db.models import StaffUser

    turn = TestClient(app).post(
        "/api/v1/chat/cedar-vet-oncology/messages",
        json={"text": "her gums are white and she collapsed"},
    )
    case_id = turn.json()["escalation"]["id"]
    with app.state.assistant.sessions() as session:
        ids = {
            role: session.scalars(select(StaffUser.id).where(StaffUser.email == email)).one()
            for role, email in ACCOUNTS.items()
            if email
        }
    admin, billing = clients["admin"], clients["billing"]
    url = f"/api/v1/nurse/cases/{case_id}"

    to_billing = admin.post(f"{url}/reassign", json={"staff_id": ids["billing"]})
    to_nurse = admin.post(f"{url}/reassign", json={"staff_id": ids["nurse"]})

    assert to_billing.status_code == 409 and "cannot answer" in to_billing.json()["detail"]
    assert to_nurse.status_code == 200
    assert billing.get(url).status_code == 403
    assert billing.post(f"{url}/reassign", json={"staff_id": ids["billing"]}).status_code == 403
