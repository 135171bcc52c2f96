"""`desktop-helpdesk server ...`: the administrator's commands for the team server.

    desktop-helpdesk server upgrade --database-url URL   create or upgrade the schema
    desktop-helpdesk server check --database-url URL     schema version, rows, protections

Desks never upgrade a shared server (see db/migrate.py): the administrator runs `upgrade`
once after installing a new version, under PostgreSQL's advisory lock, so two admins doing
it at once run the migrations once. Both commands work on a SQLite URL too.

The output is plain lines in the user's language (--lang, else the environment's), one fact
a line, for a person or a script; errors go to stderr. Exit codes: 0 done / current and
protected, 1 the check found something to do, 2 the database cannot be used.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK = 0
EXIT_NEEDS_WORK = 1
EXIT_DATABASE = 2

log = logging.getLogger(__name__)


def parse_server_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk server",
        description="Administer the database a team of desks shares (PostgreSQL; a SQLite file works too).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{upgrade,check}")
    for name, help_text in (
        ("upgrade", ("create the schema in an empty database, or upgrade an older one to this version's "
                     "(one administrator at a time: the others wait for the lock)")),
        ("check", ("print the schema version, the rows in each table and whether the history is protected; "
                   "exit 0 when the schema is current and protected, 1 when not, 2 when the database cannot be used")),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--database-url", metavar="URL", required=True,
                             help="SQLAlchemy database URL, e.g. postgresql+psycopg://user:password@server/helpdesk")
        command.add_argument("--lang", choices=("vi", "en"),
                             help="language of the output (default: the environment's, LANG)")
    return parser.parse_args(argv)


def environment_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def server_main(argv: list[str], database_error_message: Callable[..., str]) -> int:
    args = parse_server_args(argv)

    from .db.engine import redact_url, sqlite_path_of
    from .domain.errors import DatabaseOpenError
    from .i18n import Translator, install
    from .paths import translations_dir

    install(Translator(translations_dir(), args.lang or environment_language()))
    url = args.database_url
    try:
        on_server = sqlite_path_of(url) is None
    except Exception:  # noqa: BLE001 - a malformed address is reported by the commands
        on_server = True
    try:
        if args.command == "upgrade":
            return _upgrade(url)
        return _check(url)
    except DatabaseOpenError as exc:
        log.debug("server %s: %s: %s", args.command, redact_url(url), exc)
        print(database_error_message(exc.reason, server=on_server, path=exc.path), file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # noqa: BLE001 - explained in one line, never a traceback with the URL
        print(database_error_message("unreachable", server=on_server) + f" ({type(exc).__name__})", file=sys.stderr)
        return EXIT_DATABASE


def _upgrade(url: str) -> int:
    from .db.engine import open_database
    from .db.migrate import SCHEMA_HEAD
    from .i18n import _

    engine, outcome = open_database(url, may_upgrade=True)
    engine.dispose()
    print({
        "created": _("database schema created (version {head})"),
        "upgraded": _("database schema upgraded to version {head}"),
    }.get(outcome, _("database schema already up to date (version {head})")).format(head=SCHEMA_HEAD))
    return EXIT_OK


def _check(url: str) -> int:
    from .db.engine import connect_database
    from .db.migrate import SCHEMA_HEAD, schema_status
    from .i18n import _

    engine = connect_database(url, must_exist=True)
    try:
        status = schema_status(engine)
    finally:
        engine.dispose()
    print(_("schema version: {found} (this program: {head})").format(
        found=status.revision or _("none"), head=SCHEMA_HEAD))
    print({
        "current": _("schema: up to date"),
        "older": _("schema: older than this program; run `desktop-helpdesk server upgrade`"),
        "newer": _("schema: newer than this program; update Desktop Helpdesk"),
        "empty": _("schema: none (empty database); run `desktop-helpdesk server upgrade`"),
        "foreign": _("schema: none, but the database has tables: it belongs to another program"),
    }[status.state])
    for table, count in status.rows.items():
        print(_("rows in {table}: {count}").format(table=table, count=count))
    if status.missing_protections:
        print(_("history protection: missing {triggers}").format(triggers=", ".join(status.missing_protections)))
    else:
        print(_("history protection: in place"))
    return EXIT_OK if status.healthy else EXIT_NEEDS_WORK


# -- backups of the local database file (issue #14) ----------------------------------------
#
#     desktop-helpdesk backup [--data-dir DIR] [--to FOLDER]   a backup now (the app may be open)
#     desktop-helpdesk restore FILE [--data-dir DIR] [--yes]    put a backup back (the app closed)
#
# Exit codes: 0 done, 1 declined at the question, 2 it could not be done (told on stderr).

BACKUP_COMMANDS = ("backup", "restore")


def parse_backup_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk",
        description="Back up the local database file, or restore it from a backup (SQLite; for a team "
                    "server use pg_dump and pg_restore, see README).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{backup,restore}")
    take = commands.add_parser("backup", help="write a backup of the database file now (the app may be running)")
    take.add_argument("--to", metavar="FOLDER",
                      help="the folder to write it to (default: the one chosen in the app, else 'backups' in "
                           "the data folder); backups older than the days to keep are removed there")
    put = commands.add_parser("restore", help="replace the data with a backup's (Desktop Helpdesk must be closed); "
                                              "a safety copy of the current file is taken first")
    put.add_argument("file", metavar="FILE", help="the backup file (helpdesk-YYYY-MM-DD-HHMMSS.sqlite3)")
    put.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for command in (take, put):
        command.add_argument("--data-dir", metavar="DIR",
                             help="the data folder of the database (default: the user's data folder)")
        command.add_argument("--lang", choices=("vi", "en"),
                             help="language of the output (default: the environment's, LANG)")
    return parser.parse_args(argv)


def backup_main(argv: list[str], setup_logging: Callable[[Path], object] | None = None) -> int:
    """`desktop-helpdesk backup|restore …`: no window; plain lines for a person or a script.
    `setup_logging(log_dir)` is the app's (passed in by app.main): a failure leaves its
    details in the same log file as the app's, never on the terminal."""
    args = parse_backup_args(argv)

    from datetime import datetime, timezone
    from pathlib import Path

    from .db.backup import SqliteBackups
    from .i18n import Translator, _, install
    from .paths import app_paths, translations_dir
    from .services import backup
    from .services.backup import BackupError
    from .settings import Settings

    install(Translator(translations_dir(), args.lang or environment_language()))
    paths = app_paths(args.data_dir)
    logged = False
    if setup_logging is not None:
        try:
            setup_logging(paths.log_dir)
            logged = True
        except OSError:
            pass  # no log folder: the command still runs
    if not logged:
        logging.getLogger().addHandler(logging.NullHandler())  # never a traceback on the terminal
    settings = Settings.load(paths.settings_file)
    store = SqliteBackups(paths.database_file)
    now = datetime.now(timezone.utc)
    try:
        if args.command == "backup":
            if not paths.database_file.is_file():
                raise BackupError(BackupError.FAILED, "no database file")
            policy = backup.policy_of(args.to or settings.backup_folder, settings.backup_keep_days, paths.data_dir)
            done = backup.back_up(store, policy, now, data_dir=paths.database_file.parent)
            print(_("Backup written: {path} ({size})").format(path=done.file.path, size=backup.size_text(done.file.size)))
            old = [p for p in done.removed if backup.taken_at_of(p) is not None]  # not the leftover *.partial
            if old:
                print(_("Backups older than {days} days removed: {count}").format(
                    days=policy.keep_days, count=len(old)))
            return EXIT_OK
        contents = backup.describe(store, Path(args.file))
        print(backup.summary(contents))
        if not args.yes and (sys.stdin is None or not sys.stdin.isatty()):
            # Nobody to ask (a script, or Windows' windowed program, which has no console):
            # replacing the data needs --yes said on purpose.
            print(_("Nothing was changed: a restore replaces the data, so without a terminal to ask at it "
                    "needs --yes."), file=sys.stderr)
            return EXIT_NEEDS_WORK
        if not args.yes:
            answer = input(_("Replace the data in {folder} with this backup? A safety copy of the current "
                             "file is taken first. [y/N] ").format(folder=paths.data_dir))
            if answer.strip().lower() not in ("y", "yes", "c", "có", "co"):
                print(_("Nothing was changed."))
                return EXIT_NEEDS_WORK
        with _instance_lock(paths.lock_file):
            done = backup.restore(store, Path(args.file))
        if done.safety_copy is not None:
            print(_("The data as it was is kept in {path}").format(path=done.safety_copy))
        print(_("Restored. Start Desktop Helpdesk to use the restored data."))
        return EXIT_OK
    except BackupError as exc:
        log.warning("the %s command failed: %s", args.command, exc)
        print(backup.error_message(exc.reason), file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        log.error("the %s command failed", args.command, exc_info=True)
        print(backup.error_message(BackupError.FAILED) + f" ({type(exc).__name__})", file=sys.stderr)
        return EXIT_DATABASE


class _instance_lock:
    """The app's own instance lock on the data folder, held while a restore replaces the
    file: a restore is refused while Desktop Helpdesk has the folder open."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        from .instance import acquire_instance_lock
        from .services.backup import BackupError

        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The app's own rules: a lock left by a crash (its process gone, or its file
        # unreadable) is taken over; one a live copy holds refuses the restore.
        self.lock, go_on = acquire_instance_lock(self.path, lambda _pid, _host: False)
        if not go_on:
            raise BackupError(BackupError.IN_USE)
        return self

    def __exit__(self, *exc):
        if self.lock is not None:
            self.lock.unlock()


# -- importing a customer list (issue #14) ---------------------------------------------------
#
#     desktop-helpdesk import FILE [--dry-run] [--data-dir DIR | --database-url URL] [--rejected OUT]
#
# The same import as File → Import: every row read with the forms' rules, the good rows
# written under one batch, the rows with errors written to a file to correct. Exit codes:
# 0 every row imported (or already there), 1 some rows have errors (the others went in; with
# --dry-run nothing is written), 2 the file or the database cannot be used.

#: Rows with errors listed on the terminal (all of them are in the rejection file).
SHOWN_ERRORS = 20


def parse_import_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk import",
        description="Import customers, contacts, contracts and payments from an Excel (.xlsx) or CSV file, as "
                    "File > Import does. Rows with errors are written to a file to correct and import again.")
    parser.add_argument("file", metavar="FILE", help="the .xlsx or .csv file (the template's headers, or ones like them)")
    parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts; write nothing")
    parser.add_argument("--rejected", metavar="OUT",
                        help="where to write the rows with errors (default: beside FILE, named 'FILE - rows with errors.xlsx' "
                             "in the output's language)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", metavar="DIR", help="the data folder of the local database (default: the user's)")
    where.add_argument("--database-url", metavar="URL", help="a team server (postgresql://…) or another database")
    parser.add_argument("--lang", choices=("vi", "en"), help="language of the output (default: the environment's, LANG)")
    return parser.parse_args(argv)


def import_main(argv: list[str], database_error_message: Callable[..., str],
                setup_logging: Callable[[Path], object] | None = None) -> int:
    args = parse_import_args(argv)

    from pathlib import Path

    from .db.engine import open_database, redact_url, sqlite_path_of, sqlite_url
    from .db.uow import uow_factory
    from .domain.errors import DatabaseOpenError
    from .domain.importing import KIND_LABELS, KIND_ORDER
    from .i18n import Translator, _, install
    from .paths import app_paths, translations_dir
    from .services import importing
    from .services.context import make_context

    language = args.lang or environment_language()
    install(Translator(translations_dir(), language))
    paths = app_paths(args.data_dir)
    logged = False
    if setup_logging is not None:
        try:
            setup_logging(paths.log_dir)
            logged = True
        except OSError:
            pass  # no log folder: the command still runs
    if not logged:
        logging.getLogger().addHandler(logging.NullHandler())  # never a traceback on the terminal
    url = args.database_url or sqlite_url(paths.database_file)
    try:
        on_server = sqlite_path_of(url) is None
    except Exception:  # noqa: BLE001 - a malformed address is reported when opened
        on_server = True
    source = Path(args.file)
    try:
        sheets = importing.inspect_file(source)
    except importing.ImportFileError as exc:
        log.warning("import: the file cannot be used: %s", exc.reason)
        print(_(importing.FILE_MESSAGES[exc.reason]), file=sys.stderr)
        return EXIT_DATABASE
    try:
        if not args.database_url:
            paths.database_file.parent.mkdir(parents=True, exist_ok=True)
        engine, _outcome = open_database(url)
    except DatabaseOpenError as exc:
        log.warning("import: %s: %s", redact_url(url), exc.reason)
        print(database_error_message(exc.reason, server=on_server, path=exc.path), file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback with the URL
        log.error("import: cannot open %s", redact_url(url), exc_info=True)
        print(database_error_message("unreachable", server=on_server) + f" ({type(exc).__name__})", file=sys.stderr)
        return EXIT_DATABASE
    try:
        ctx = make_context(uow_factory(engine, who=lambda: _("import from {file}").format(file=source.name)[:120]))
        for sheet in sheets:
            if not sheet.usable:
                print(_("Sheet “{sheet}”: not imported (its columns are not those of customers, contacts, "
                        "contracts or payments)").format(sheet=sheet.name))
        def summary(plan) -> None:
            for kind in KIND_ORDER:
                if not any(r.kind is kind for r in plan.results):
                    continue
                print(_("{kind}: {new} new, {exists} already there, {errors} with errors").format(
                    kind=_(KIND_LABELS[kind]), new=plan.count(importing.NEW, kind),
                    exists=plan.count(importing.EXISTS, kind), errors=plan.count(importing.ERROR, kind)))
            bad = [r for r in plan.results if r.status == importing.ERROR]
            for r in bad[:SHOWN_ERRORS]:
                reasons = importing.errors_text(r, _)
                print(_("“{sheet}” row {row}: {errors}").format(sheet=r.sheet, row=r.number, errors=reasons))
            if len(bad) > SHOWN_ERRORS:
                print(_("… and {count} more rows with errors").format(count=len(bad) - SHOWN_ERRORS))

        if args.dry_run:
            plan = importing.plan_import(ctx, source, sheets)
            summary(plan)
            print(_("Nothing was written (--dry-run)."))
            return EXIT_NEEDS_WORK if plan.count(importing.ERROR) else EXIT_OK
        # No preview to wait for: each block's new rows are written while the next is checked.
        plan, done = importing.import_now(ctx, source, sheets, planned=summary)
        bad = plan.count(importing.ERROR)
        if done.batch_id is None:
            print(_("Nothing new to import: every good row is already in the database."))
        else:
            print(_("Imported: {customers} customers, {contacts} contacts, {contracts} contracts, {payments} "
                    "payments (import no. {batch}; File → Import history can undo it)").format(
                customers=done.added[KIND_ORDER[0]], contacts=done.added[KIND_ORDER[1]],
                contracts=done.added[KIND_ORDER[2]], payments=done.added[KIND_ORDER[3]], batch=done.batch_id))
        if bad:
            # Named as File → Import names it, in the user's language.
            out = Path(args.rejected) if args.rejected else source.with_name(
                _("{name} - rows with errors.xlsx").format(name=source.stem))
            importing.write_rejections(plan, out, _)
            print(_("The rows with errors are in {path}: correct them there and import that file.").format(path=out))
        return EXIT_NEEDS_WORK if bad else EXIT_OK
    except importing.ImportFileError as exc:
        log.warning("import: the file cannot be used: %s", exc.reason)
        print(_(importing.FILE_MESSAGES[exc.reason]), file=sys.stderr)
        return EXIT_DATABASE
    except OSError as exc:  # the rejection file cannot be written
        log.warning("import: cannot write the rejection file: %s", type(exc).__name__)
        print(_("The rows with errors could not be written ({error}). Choose another place with --rejected.")
              .format(error=type(exc).__name__), file=sys.stderr)
        return EXIT_DATABASE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        log.error("import failed", exc_info=True)
        print(database_error_message("unreachable", server=on_server) + f" ({type(exc).__name__})", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        engine.dispose()


# -- desktop-helpdesk sync (issue #15) --------------------------------------------------------
def offline_link(offline, settings, engine, units, url: str, on_server: bool):
    """What services.sync reaches the copy and the server through (ports.OfflineLink): on the
    copy, a LaptopLink that connects to the saved team server as the operator; on the team
    server, a TeamServerLink on the signed-in operator's connection; else None."""
    from .db.offline import LaptopLink, TeamServerLink
    from .db.signin import check_password

    if offline is not None:
        from .db.engine import connect_database
        from .db.signin import operator_url
        from .db.uow import uow_factory
        from .domain.errors import DatabaseOpenError, SignInRefused, SyncBlocked
        from .services.context import make_context
        from .settings import TeamServer

        _path, login, password = offline
        server = TeamServer.from_dict(settings.team_server)

        def connect_server():
            if server is None:
                raise SyncBlocked(SyncBlocked.UNREACHABLE, "no team server chosen")
            try:
                return connect_database(operator_url(server.url(None), login, password))
            except DatabaseOpenError as exc:
                if exc.reason == DatabaseOpenError.BAD_LOGIN:
                    raise SignInRefused(SignInRefused.WRONG) from None
                raise

        return LaptopLink(engine, connect_server, lambda server_engine: make_context(uow_factory(server_engine)))
    if on_server:
        return TeamServerLink(lambda: units.engine, check_password=lambda login, password: check_password(
            url, login, password))
    return None


EXIT_CONFLICTS = 3


def parse_sync_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk sync",
        description=("Sync this laptop's offline copy with the team server now: send the changes made here, "
                     "bring the server's. Exit 0 when in sync, 3 when conflicts wait for a person, "
                     "2 when the sync cannot run (the server does not answer, another version, a wrong password)."))
    parser.add_argument("--data-dir", metavar="DIR", help="the data folder (default: the user's)")
    parser.add_argument("--lang", choices=("vi", "en"), help="language of the output (default: the environment's)")
    parser.add_argument("--password-env", metavar="NAME", default="DESKTOP_HELPDESK_PASSWORD",
                        help="the environment variable holding the password (default: %(default)s; "
                             "asked on the terminal when it is not set)")
    return parser.parse_args(argv)


def sync_main(argv: list[str], setup_logging: Callable[[Path], object] | None = None) -> int:
    args = parse_sync_args(argv)
    import getpass
    from pathlib import Path

    from .db.offline import LaptopLink, open_copy
    from .db.uow import uow_factory
    from .domain.errors import DatabaseOpenError, SignInRefused, SyncBlocked
    from .i18n import Translator, _, install
    from .paths import app_paths, translations_dir
    from .services import sync
    from .services.context import SignedIn, make_context
    from .settings import Settings

    install(Translator(translations_dir(), args.lang or environment_language()))
    paths = app_paths(args.data_dir)
    if setup_logging is not None:
        try:
            paths.ensure()
            setup_logging(paths.log_dir)
        except OSError:
            pass
    settings = Settings.load(paths.settings_file)
    copy = settings.offline
    if not copy.get("copy") or not Path(copy["copy"]).exists():
        print(_("This computer holds no offline copy (File → Work offline… on the team server makes one)."),
              file=sys.stderr)
        return EXIT_DATABASE
    password = os.environ.get(args.password_env)
    if password is None:
        password = getpass.getpass(_("Password of {login}: ").format(login=copy.get("login", "")))
    try:
        engine = open_copy(Path(copy["copy"]), password)
    except DatabaseOpenError as exc:
        print(_("That password does not open the copy.") if exc.reason == DatabaseOpenError.WRONG_KEY
              else _("The offline copy cannot be opened ({reason}).").format(reason=exc.reason), file=sys.stderr)
        return EXIT_DATABASE
    link = offline_link((Path(copy["copy"]), copy.get("login", ""), password), settings, engine, None, "", False)
    units = uow_factory(engine)
    with engine.connect() as conn:
        from sqlalchemy import text

        row = conn.execute(text("SELECT id, code, alias, role, login FROM operators WHERE login = :l"),
                           {"l": copy.get("login", "")}).first()
    session = SignedIn()
    if row is not None:
        from types import SimpleNamespace

        session.operator = SimpleNamespace(id=row.id, code=row.code, alias=row.alias, role=row.role, login=row.login)
    ctx = make_context(units, session=session, offline=link)
    try:
        report = sync.sync_now(ctx)
    except SyncBlocked as exc:
        print({SyncBlocked.SCHEMA: _("This copy and the team server are of different versions: update first."),
               SyncBlocked.UNREACHABLE: _("The team server does not answer; the changes stay on this laptop.")}
              .get(exc.reason, str(exc)), file=sys.stderr)
        return EXIT_DATABASE
    except SignInRefused:
        print(_("The team server did not take this password."), file=sys.stderr)
        return EXIT_DATABASE
    finally:
        if isinstance(link, LaptopLink):
            link.dispose()
        engine.dispose()
    print(_("Sent {pushed} changed records ({applied} applied), received {pulled}.").format(
        pushed=report.pushed, applied=report.applied, pulled=report.pulled))
    for provisional, final in sorted(report.codes.items()):
        print(_("{provisional} is now {final}").format(provisional=provisional, final=final))
    if report.conflicts:
        print(_("{count} conflicts wait for a decision (Sync conflicts… in the File menu).").format(
            count=report.conflicts))
        return EXIT_CONFLICTS
    print(_("In sync with the team server."))
    return EXIT_OK
