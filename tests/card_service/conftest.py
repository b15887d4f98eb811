"""An organisation, users of every role, and API clients signed in as each of them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from card_service.access.context import CONFIG_KEY_NAME, AccessContext
from card_service.app import create_app
from card_service.audit.context import AuditContext
from card_service.auth.context import AuthContext
from card_service.auth.signin import LockoutPolicy
from card_service.auth.throttle import AttemptLimiter
from card_service.auth.tokens import AccessTokens, TokenPolicy
from card_service.db.engine import Database
from card_service.keystore import FileKeyCustody, get_or_create
from card_service.orgunits.models import OrgUnit, UnitKind
from card_service.orgunits.service import create_unit
from card_service.pki.authorities import initialise
from card_service.pki.context import PkiContext
from card_service.settings import Settings
from card_service.users.models import Role, RoleAssignment, User
from card_service.users.passwords import hash_password

PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 09:00 in Huế


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose; hash once per run


class FrozenClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass
class Org:
    """Huế with two agencies, a service centre, and users whose scopes differ:

    admin (root), hr (agency SNV only), counter (the centre), auditor (root), and
    hr_other (agency STP) to probe cross-unit access."""

    units: dict[str, OrgUnit]
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def org(session: Session, password_hash: str) -> Org:
    root = create_unit(session, kind=UnitKind.PROVINCE, code="HUE", name="Thành phố Huế")
    snv = create_unit(session, kind=UnitKind.AGENCY, code="SNV", name="Sở Nội vụ", parent=root)
    snv_vp = create_unit(
        session, kind=UnitKind.DEPARTMENT, code="SNV-VP", name="Văn phòng Sở", parent=snv
    )
    stp = create_unit(session, kind=UnitKind.AGENCY, code="STP", name="Sở Tư pháp", parent=root)
    centre = create_unit(
        session, kind=UnitKind.SERVICE_CENTRE, code="TTPVHCC", name="Trung tâm", parent=root
    )
    org = Org(units={"root": root, "snv": snv, "snv_vp": snv_vp, "stp": stp, "centre": centre})
    for name, role, unit in [
        ("admin", Role.ADMIN, root),
        ("hr", Role.HR, snv),
        ("hr_other", Role.HR, stp),
        ("counter", Role.COUNTER_STAFF, centre),
        ("auditor", Role.AUDITOR, root),
    ]:
        user = User(
            username=name,
            display_name=name.title(),
            password_hash=password_hash,
            roles=[RoleAssignment(role=role, unit_id=unit.id)],
        )
        session.add(user)
        org.users[name] = user
    session.flush()
    session.commit()  # to the test's SAVEPOINT: visible to the app's sessions
    return org


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(scope="session")
def auth_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def auth_context(auth_key: ec.EllipticCurvePrivateKey) -> AuthContext:
    return AuthContext(
        tokens=AccessTokens(
            signing_key=auth_key,
            policy=TokenPolicy(
                issuer="https://ecard.test",
                audience="ecard-api",
                algorithm="ES256",
                lifetime=timedelta(minutes=10),
                leeway=timedelta(seconds=30),
            ),
        ),
        refresh_lifetime=timedelta(days=7),
        lockout=LockoutPolicy(max_failures=5, lockout=timedelta(minutes=15)),
        limiter=AttemptLimiter(limit=1000),
    )


@pytest.fixture
def app_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture(scope="session")
def custody(tmp_path_factory) -> FileKeyCustody:
    """Real encrypted key files, shared by the run (PKI set-up names keys uniquely)."""
    return FileKeyCustody(tmp_path_factory.mktemp("keys"), b"test passphrase")


@pytest.fixture(scope="session")
def audit_context(custody: FileKeyCustody) -> AuditContext:
    return AuditContext.from_custody(custody, interval=timedelta(minutes=5))


@pytest.fixture
def pki_context(custody: FileKeyCustody) -> PkiContext:
    return PkiContext(
        custody=custody,
        crl_validity=timedelta(hours=24),
        crl_refresh=timedelta(hours=6),
        delta_limit=1000,
        public_base_url="http://ecard.test",
        organization="Test",
    )


@pytest.fixture
def pki(session: Session, pki_context: PkiContext, clock: FrozenClock) -> PkiContext:
    """The PKI set up in the test's database (root, issuing CA, bundle 1, CRL 1)."""
    assert initialise(session, pki_context, now=clock.now)
    session.commit()
    return pki_context


@pytest.fixture(scope="session")
def access_context(custody: FileKeyCustody) -> AccessContext:
    return AccessContext(
        signer=get_or_create(custody, CONFIG_KEY_NAME),
        max_crl_age_seconds=36 * 3600,
        debounce_seconds=10,
        door_release_ms=3000,
    )


@pytest.fixture
def client(
    database: Database,
    auth_context: AuthContext,
    audit_context: AuditContext,
    pki_context: PkiContext,
    access_context: AccessContext,
    clock: FrozenClock,
    app_settings: Settings,
) -> Iterator[TestClient]:
    app = create_app(
        app_settings,
        database=database,
        auth=auth_context,
        audit=audit_context,
        pki=pki_context,
        access=access_context,
        clock=clock,
        background_tasks=False,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


AsUser = Callable[[str], dict[str, str]]


@pytest.fixture
def as_user(org: Org, auth_context: AuthContext, clock: FrozenClock) -> AsUser:
    """Authorization headers for a fixture user (a token minted like sign-in does)."""

    def headers(name: str) -> dict[str, str]:
        token, _ = auth_context.tokens.issue(org.users[name].id, now=clock.now)
        return {"Authorization": f"Bearer {token}"}

    return headers


def new_id() -> str:
    return str(uuid.uuid4())
