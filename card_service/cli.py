"""``card-service``: serve, migrate, create-admin, demo-seed, csca-import, purge-citizen-data.

This module is the process's one translator from errors to exit codes: a command
either succeeds or ends with a single ``card-service: error: ...`` line.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from card_service.audit.context import AuditContext
from card_service.db import migrate
from card_service.db.engine import Database
from card_service.errors import (
    CardServiceError,
    ConfigurationError,
    InvalidRequestError,
    ServiceUnavailableError,
)
from card_service.events.partitions import ensure_monthly_partitions
from card_service.keystore import custody_from_settings
from card_service.pki.context import PkiContext
from card_service.settings import Settings
from crypto.errors import AuditChainBrokenError

if TYPE_CHECKING:
    from card_service.orgunits.schemas import RootUnitCreate

logger = logging.getLogger("card_service")

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69  # sysexits EX_UNAVAILABLE
EXIT_SOFTWARE = 70  # sysexits EX_SOFTWARE
EXIT_IOERR = 74  # sysexits EX_IOERR
EXIT_CONFIG = 78  # sysexits EX_CONFIG
EXIT_VERIFICATION_FAILED = 3

Command = Callable[[argparse.Namespace, Settings], int]


def _open_database(settings: Settings) -> Database:
    database = Database.from_settings(settings)
    database.check_reachable()
    return database


def _sqlite_path(settings: Settings) -> Path | None:
    if not settings.uses_sqlite:
        return None
    return Path(settings.effective_database_url.removeprefix("sqlite:///"))


def cmd_migrate(_: argparse.Namespace, settings: Settings) -> int:
    sqlite_file = _sqlite_path(settings)
    fresh_file = sqlite_file is not None and not sqlite_file.exists()
    database = _open_database(settings)
    try:
        migrate.upgrade(database.engine)
        with database.engine.begin() as connection:
            ensure_monthly_partitions(
                connection, now=datetime.now(UTC), months_ahead=settings.event_partitions_ahead
            )
    except BaseException:
        database.dispose()
        if fresh_file and sqlite_file is not None:
            # Never leave a half-migrated database file behind.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        raise
    print(f"database migrated to {migrate.head_revision()}")
    database.dispose()
    return 0


def _require_schema_at_head(database: Database) -> None:
    if not migrate.is_at_head(database.sessions):
        raise ServiceUnavailableError(
            "database schema is not at the current revision; run `card-service migrate` first"
        )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from card_service.app import create_app  # noqa: PLC0415

    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    database = _open_database(settings)
    _require_schema_at_head(database)
    listener = _bind(host, port)
    app = create_app(settings, database=database)
    # Composition root: the admin console (admin_ui) is served by this process under /admin.
    from admin_ui import install as install_console  # noqa: PLC0415

    install_console(app)
    print(f"card-service listening on http://{host}:{listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level=settings.log_level.lower(), access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:
        # uvicorn has already drained connections; it re-raises the signal so that
        # embedding programs can see it. For us Ctrl-C is the normal way to stop.
        pass
    finally:
        database.dispose()
    print("card-service stopped", flush=True)
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError(f"port {port} on {host} is already in use") from exc
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    listener.listen(2048)
    return listener


def cmd_create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from card_service.orgunits.admin import create_root_unit  # noqa: PLC0415
    from card_service.orgunits.service import root_units, unit_by_code  # noqa: PLC0415
    from card_service.users.models import Role  # noqa: PLC0415
    from card_service.users.service import check_password, create_user  # noqa: PLC0415

    root: RootUnitCreate | None = None
    if args.create_root_unit is not None:
        if args.unit:
            raise InvalidRequestError("give either --unit or --create-root-unit, not both")
        if not args.unit_code:
            raise InvalidRequestError("--create-root-unit needs --unit-code CODE")
        root = _checked_root(args.create_root_unit, args.unit_code)
    elif args.unit_code:
        raise InvalidRequestError("--unit-code goes with --create-root-unit; use --unit CODE")
    password = _read_new_password(from_stdin=args.password_stdin)
    check_password(password)  # before anything is written
    now = datetime.now(UTC)
    database = _open_database(settings)
    _require_schema_at_head(database)
    try:
        with database.transaction() as session:
            if root is not None:
                unit = create_root_unit(session, root, actor="cli:create-admin", now=now)
            elif args.unit:
                unit = unit_by_code(session, args.unit)
            else:
                roots = root_units(session)
                if not roots:
                    raise InvalidRequestError(
                        "the database has no organisation units yet: create the root with "
                        '--create-root-unit "NAME" --unit-code CODE'
                    )
                if len(roots) != 1:
                    raise InvalidRequestError(
                        "say which unit the admin manages with --unit CODE "
                        f"(found {len(roots)} root units)"
                    )
                unit = roots[0]
            create_user(
                session,
                username=args.username,
                display_name=args.display_name or args.username,
                password=password,
                roles=[(Role.ADMIN, unit.id)],
                unit_id=unit.id,
                actor="cli:create-admin",
                now=now,
            )
    finally:
        database.dispose()
    if root is not None:
        print(f"root unit {unit.code} ({unit.name}) created")
    print(f"administrator {args.username!r} created for unit {unit.code}")
    return 0


def _checked_root(name: str, code: str) -> RootUnitCreate:
    from card_service.orgunits.schemas import RootUnitCreate  # noqa: PLC0415

    try:
        return RootUnitCreate(name=name, code=code)
    except ValidationError as exc:
        first = exc.errors()[0]
        option = {"name": "--create-root-unit", "code": "--unit-code"}[str(first["loc"][0])]
        raise InvalidRequestError(f"{option}: {first['msg']}") from exc


def _read_new_password(*, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise InvalidRequestError("the two passwords differ")
    return first


def cmd_demo_seed(_: argparse.Namespace, settings: Settings) -> int:
    from card_service.demo.seed import (  # noqa: PLC0415
        is_seeded,
        load_accounts,
        save_accounts,
        seed_demo,
    )
    from card_service.pki.authorities import initialise  # noqa: PLC0415

    credentials_file = settings.data_dir / "demo-credentials.json"
    pki, _audit = _custody_contexts(settings)
    database = _open_database(settings)
    _require_schema_at_head(database)
    try:
        with database.transaction() as session:
            if is_seeded(session):
                accounts = load_accounts(credentials_file)
                print("demo organisation already present; reusing it")
            else:
                accounts = seed_demo(session)
                save_accounts(credentials_file, accounts)
                print("demo organisation created")
            if initialise(session, pki, now=datetime.now(UTC)):
                print("certificate authority created")
    finally:
        database.dispose()
    for account in accounts:
        print(f"  sign in as {account.username:<12} password {account.password}  ({account.role})")
    if not accounts:
        print(f"  (demo passwords were not found in {credentials_file})")
    return 0


def _custody_contexts(settings: Settings) -> tuple[PkiContext, AuditContext]:
    custody = custody_from_settings(settings)
    pki = PkiContext.from_settings(settings, custody)
    audit = AuditContext.from_custody(
        custody, interval=timedelta(seconds=settings.audit_checkpoint_seconds)
    )
    return pki, audit


def cmd_pki_init(_: argparse.Namespace, settings: Settings) -> int:
    from card_service.pki.authorities import initialise  # noqa: PLC0415

    pki, _audit = _custody_contexts(settings)
    database = _open_database(settings)
    _require_schema_at_head(database)
    try:
        with database.transaction() as session:
            created = initialise(session, pki, now=datetime.now(UTC))
    finally:
        database.dispose()
    print("certificate authority created" if created else "certificate authority already set up")
    return 0


def cmd_verify_audit(_: argparse.Namespace, settings: Settings) -> int:
    from card_service.audit import service as audit  # noqa: PLC0415

    _pki, audit_context = _custody_contexts(settings)
    database = _open_database(settings)
    try:
        with database.transaction() as session:
            try:
                result = audit.verify(session, keys=audit_context.verification_keys)
            except AuditChainBrokenError as exc:
                print(
                    f"card-service: error: audit chain broken at entry {exc.seq} "
                    f"({exc.kind}): {exc.detail}",
                    file=sys.stderr,
                )
                return EXIT_VERIFICATION_FAILED
    finally:
        database.dispose()
    print(
        f"audit chain intact: {result.count} entries up to {result.last_seq}, "
        f"{result.checkpoints_verified} signed checkpoint(s) verified"
    )
    return 0


def cmd_audit_checkpoint(_: argparse.Namespace, settings: Settings) -> int:
    from card_service.audit import service as audit  # noqa: PLC0415

    _pki, audit_context = _custody_contexts(settings)
    database = _open_database(settings)
    try:
        with database.transaction() as session:
            row = audit.checkpoint(session, audit_context.signer, now=datetime.now(UTC))
    finally:
        database.dispose()
    print(f"checkpoint signed at entry {row.seq}" if row else "the chain's head is already signed")
    return 0


def cmd_csca_import(args: argparse.Namespace, settings: Settings) -> int:
    from card_service.csca.service import import_material, load_certificate  # noqa: PLC0415

    data = _read_file(args.file)
    anchors = [load_certificate(_read_file(path)) for path in args.anchor or []]
    database = _open_database(settings)
    _require_schema_at_head(database)
    try:
        with database.transaction() as session:
            result = import_material(
                session,
                data,
                anchors=anchors,
                note=args.note,
                actor="cli:csca-import",
                now=datetime.now(UTC),
            )
    finally:
        database.dispose()
    kind = {"certificate": "CSCA certificate", "master_list": "master list", "crl": "CRL"}
    print(
        f"{kind[result.kind]} imported (SHA-256 {result.fingerprint}): "
        f"{result.added} new {'CRL' if result.kind == 'crl' else 'CSCA certificate(s)'}"
    )
    return 0


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidRequestError(f"cannot read {path}: {exc.strerror}") from exc


def cmd_purge_citizen_data(_: argparse.Namespace, settings: Settings) -> int:
    from card_service.service_usage.retention import purge_citizen_data  # noqa: PLC0415

    retention = timedelta(days=settings.citizen_data_retention_days)
    database = _open_database(settings)
    _require_schema_at_head(database)
    try:
        with database.transaction() as session:
            purged = purge_citizen_data(
                session, now=datetime.now(UTC), retention=retention, actor="cli:purge-citizen-data"
            )
    finally:
        database.dispose()
    print(
        f"citizen data removed from {purged} counter session(s) older than "
        f"{settings.citizen_data_retention_days} days"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="card-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", help="address to listen on (default from settings)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser(
        "migrate", help="bring the database schema to the current revision"
    ).set_defaults(handler=cmd_migrate)

    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name")
    admin.add_argument("--unit", help="code of the unit the admin manages (default: the root)")
    admin.add_argument(
        "--create-root-unit",
        metavar="NAME",
        help="on a fresh database: create the root unit (a province) the admin manages",
    )
    admin.add_argument("--unit-code", metavar="CODE", help="the code of the root unit to create")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    admin.set_defaults(handler=cmd_create_admin)

    sub.add_parser("demo-seed", help="create the demo organisation once").set_defaults(
        handler=cmd_demo_seed
    )
    sub.add_parser("pki-init", help="create the root and issuing CAs once").set_defaults(
        handler=cmd_pki_init
    )
    sub.add_parser(
        "verify-audit", help="check the audit chain; non-zero exit names the first bad entry"
    ).set_defaults(handler=cmd_verify_audit)
    sub.add_parser("audit-checkpoint", help="sign the audit chain's head now").set_defaults(
        handler=cmd_audit_checkpoint
    )
    csca = sub.add_parser(
        "csca-import",
        help="trust CSCA material for counters: a CSCA certificate, a master list or a CRL",
    )
    csca.add_argument("file", type=Path, help="certificate (DER/PEM), master list or CRL")
    csca.add_argument(
        "--anchor",
        type=Path,
        action="append",
        help="a CSCA certificate the master list's signer must chain to (repeatable)",
    )
    csca.add_argument(
        "--note", help="for a single certificate: who checked its fingerprint, when and how"
    )
    csca.set_defaults(handler=cmd_csca_import)
    sub.add_parser(
        "purge-citizen-data",
        help="remove citizen references and verdict reasons from sessions past retention",
    ).set_defaults(handler=cmd_purge_citizen_data)
    return parser


def _exit_code(exc: CardServiceError) -> int:
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(exc, ServiceUnavailableError):
        return EXIT_UNAVAILABLE
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_environment()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        print(f"card-service: error: setting {where}: {first['msg']}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    handler: Command = args.handler
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130
    except CardServiceError as exc:
        print(f"card-service: error: {exc.detail}", file=sys.stderr)
        return _exit_code(exc)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        print(f"card-service: error: database: {reason}", file=sys.stderr)
        return EXIT_SOFTWARE
    except OSError as exc:  # disk full, permissions, a file vanished: the machine's, not ours
        print(f"card-service: error: {exc}", file=sys.stderr)
        return EXIT_IOERR


if __name__ == "__main__":
    raise SystemExit(main())
