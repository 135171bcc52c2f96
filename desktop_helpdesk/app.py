"""Composition root: parse the command line, open the database, wire and start the app.

This is the only module that knows every concrete class. Nothing here runs at import.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import traceback
from pathlib import Path

log = logging.getLogger("desktop_helpdesk")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_DATABASE = 2
EXIT_ALREADY_RUNNING = 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-helpdesk",
        description="Desktop Helpdesk: customers, contracts, warranty and SLA clocks for a support desk.",
    )
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder for the database, settings and logs (default: the user's data folder)")
    parser.add_argument("--database-url", metavar="URL",
                        help="SQLAlchemy database URL (default: the SQLite file helpdesk.sqlite3 in the data folder)")
    parser.add_argument("--lang", choices=("vi", "en"),
                        help="interface language (default: the last one chosen, else the system's when it is "
                             "Vietnamese, else English)")
    parser.add_argument("--demo", action="store_true",
                        help="fill an empty database with Vietnamese demo customers, contracts and tickets")
    parser.add_argument("--self-test", action="store_true",
                        help="open and migrate the database, build the main window and every view offscreen, "
                             "load one page of every list, print what was checked and exit (0 = success)")
    return parser.parse_args(argv)


class SecretFreeFormatter(logging.Formatter):
    """Masks the given secrets (the database password) wherever they appear in a record:
    its message, its arguments, a traceback's exception texts (a driver's error may quote
    the connection string). The last line of defence: the code logs redacted URLs anyway."""

    def __init__(self, fmt: str, secrets: list[str]):
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def setup_logging(log_dir: Path, secrets: list[str] | None = None) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "desktop-helpdesk.log"
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(SecretFreeFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s",
                                             list(secrets or ())))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_file


def system_language() -> str:
    from PySide6.QtCore import QLocale

    return "vi" if QLocale.system().name().lower().startswith("vi") else "en"


def database_error_message(reason: str, server: bool = False, path: str | None = None) -> str:
    """What the user is told when the database cannot be used, and what to do about it.
    `server`: the database is on the team server (PostgreSQL), not a file. `path`: the copy
    taken before an upgrade (DatabaseOpenError.path), named in the upgrade's messages."""
    from .domain.errors import DatabaseOpenError as E
    from .i18n import _

    if reason == E.UPGRADE_FAILED and not path:  # a server: its upgrade is one transaction, no copy is taken
        return _("The database could not be upgraded to this version of Desktop Helpdesk. The upgrade was undone "
                 "and nothing was changed. The details are in the log file.")
    if reason == E.UPGRADE_FAILED:
        return _("The database could not be upgraded to this version of Desktop Helpdesk. The upgrade was undone and the file is as it was before. A copy taken just before the upgrade is kept at:\n{path}\nThe details are in the log file.").format(path=path or "?")
    if reason == E.BACKUP_DISK_FULL:
        return _("The disk is full: Desktop Helpdesk could not copy the database before upgrading it to this version, so the upgrade did not start and nothing was changed. Free some space on the disk that holds {folder}, then start Desktop Helpdesk again.").format(folder=str(Path(path).parent) if path else "?")
    if reason == E.BACKUP_FAILED:
        return _("Desktop Helpdesk could not write the copy of the database it takes before an upgrade ({path}), so the upgrade did not start and nothing was changed. Check that the folder can be written to, then start Desktop Helpdesk again. The details are in the log file.").format(path=path or "?")
    if reason == E.NETWORK_SHARE:
        return _("The database file is on a network share. A database file must be on this computer's own disk: on a network share it can be damaged, because SQLite's write-ahead log does not work there. Move the file to a local folder, or let the whole team work on the team server (File → Connect to team server…).")
    if reason == E.WRONG_KEY:
        return _("That password does not open this laptop's offline copy: it opens with the password of the operator who took it.")
    if server and reason == E.NEWER:
        return _("The team server's database is newer than this program: update Desktop Helpdesk on this computer to open it. Nothing was changed.")
    if server and reason == E.CORRUPT:
        return _("The database on the team server belongs to another program (it has tables but no Desktop Helpdesk schema version). Check the database name in the address; nothing was changed.")
    if not server and reason == E.NO_DATABASE:
        return _("The database file does not exist. Check the path in the address.")
    return {
        E.SERVER_DOWN: _("The team server cannot be reached. Check the server address and port, that the server is running and that this computer is connected to its network, then try again."),
        E.BAD_LOGIN: _("The team server refused the user name or password. Check them in the database address, or ask your administrator for the right ones."),
        E.NO_DATABASE: _("The database named in the address does not exist on the team server. Check the database name, or ask your administrator to create it."),
        E.SERVER_TOO_OLD: _("The team server runs a PostgreSQL version older than 13, which Desktop Helpdesk does not support. Ask your administrator to upgrade PostgreSQL to version 13 or newer."),
        E.TLS_REFUSED: _("The team server does not accept encrypted (TLS/SSL) connections, but the address requires one (sslmode). Ask your administrator to enable TLS on the server, or for the right address."),
        E.SCHEMA_OLDER: _("The team server's database is older than this program: ask your administrator to run `desktop-helpdesk server upgrade`. Nothing was changed."),
        E.LOCKED: _("The database is locked by another program. Close the other copy of Desktop Helpdesk (or the program using the file) and try again."),
        E.READ_ONLY: _("The database cannot be written: the file or its folder is read-only. Choose a folder you can write to with --data-dir, or ask your administrator."),
        E.CORRUPT: _("The database file is damaged or is not a Desktop Helpdesk database. Restore it from a backup copy; the file has not been changed."),
        E.NEWER: _("The database was created by a newer version of Desktop Helpdesk. Install the newer version to open it; the file has not been changed."),
        E.UNREACHABLE: _("The database could not be opened. Check the database address and that the server is running."),
    }.get(reason, _("The database could not be opened."))


def make_excepthook(log_file: Path, show):
    """An excepthook that logs the traceback and shows the user a short message, no traceback."""

    def excepthook(exc_type, exc, tb):
        from .i18n import _

        log.error("unhandled exception\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        try:
            show(_("An unexpected error occurred. Your saved work is safe. The details were written to the log file:\n{path}").format(path=log_file))
        except Exception:  # noqa: BLE001 - the hook must never raise
            log.exception("cannot show the error message")

    return excepthook


class _Startup:
    """Runs a callable on a start-up thread while the GUI event loop keeps spinning (the
    database is opened, and maybe migrated, before the job runner and its lanes exist)."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="start-up")
        #: (path, login, password) when the start opened the field laptop's offline copy.
        self.offline = None

    def call(self, fn, *args):
        from PySide6.QtCore import QEventLoop, QTimer

        future = self._pool.submit(fn, *args)
        loop = QEventLoop()
        timer = QTimer(interval=10)
        timer.timeout.connect(lambda: future.done() and loop.quit())
        timer.start()
        if not future.done():
            loop.exec()
        timer.stop()
        return future.result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def run() -> None:
    """The program's entry point (the `desktop-helpdesk` command, `python -m desktop_helpdesk`,
    the Windows bundle): `main`, then out."""
    code = main()
    _leave(code)


def _leave(code: int) -> None:
    """End the process with `code`. After a window was shown everything is saved and closed
    by then, and Python's own teardown of the Qt objects and modules took half a second of
    the quit (issue #17): skip it, the logs flushed first. Not when this program owns the
    clipboard: Qt's goodbye hands what was copied to the system, so it can still be pasted."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None or app.clipboard().ownsClipboard():
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["server"]:  # the administrator's commands: no window, no data folder
        from .admin import server_main

        return server_main(argv[1:], database_error_message)
    if argv[:1] == ["import"]:  # issue #14: no window
        from .admin import import_main

        return import_main(argv[1:], database_error_message, setup_logging)
    if argv[:1] == ["sync"]:  # issue #15: the field laptop's sync, no window
        from .admin import sync_main

        return sync_main(argv[1:], setup_logging)
    if argv[:1] in (["backup"], ["restore"]):  # issue #14 (backup branch): no window
        from .admin import backup_main

        return backup_main(argv, setup_logging)
    args = parse_args(argv)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from .paths import app_paths, translations_dir

    paths = app_paths(args.data_dir)
    folder_error: OSError | None = None
    try:
        paths.ensure()
        log_file = setup_logging(paths.log_dir, _secrets(args.database_url))
    except OSError as exc:  # told in a window below: a Windows GUI app has no console
        folder_error, log_file = exc, None

    from PySide6.QtCore import QProcess, QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    from . import timing
    from .i18n import N_, Translator, _, install
    from .settings import Credentials, Settings
    from .ui.kit.qt_i18n import LanguageSwitcher

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Desktop Helpdesk")
    app.setOrganizationName("DesktopHelpdesk")
    settings = Settings() if folder_error else Settings.load(paths.settings_file)
    from .ui.kit.theme import Theme

    # The native style on Windows, Fusion elsewhere; the scheme chosen (or the system's,
    # followed live), set before any window is built so every colour starts in it (issue #19).
    theme = Theme(app, settings.color_scheme)
    language = args.lang or settings.language or system_language()
    translator = Translator(translations_dir(), language)
    install(translator)
    switcher = LanguageSwitcher(app, translator)

    def fail(message: str, code: int) -> int:
        log.error("start-up failed: %s", message)
        if args.self_test:
            print(f"self-test FAILED: {message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, _("Desktop Helpdesk"), message)
        return code

    if folder_error is not None:
        return fail(_("Desktop Helpdesk cannot create its data folder {folder}: {reason}").format(
            folder=paths.data_dir, reason=folder_error.strerror or folder_error), EXIT_FAILURE)

    if args.self_test:
        def show_unexpected(message: str) -> None:
            print(f"self-test FAILED: {message}", file=sys.stderr)
            app.exit(EXIT_FAILURE)
    else:
        def show_unexpected(message: str) -> None:
            QMessageBox.warning(None, _("Desktop Helpdesk"), message)

    sys.excepthook = make_excepthook(log_file, show_unexpected)

    lock = None
    if not args.self_test:
        lock, go_on = acquire_instance_lock(paths.lock_file, ask_open_anyway)
        if not go_on:
            log.info("start-up cancelled: another copy holds the data folder's lock")
            return EXIT_ALREADY_RUNNING

    from .db.listen import NotificationListener
    from .db.engine import never_analysed, optimize, redact_url
    from .db.uow import uow_factory
    from .services import accounts, catalog, customers
    from .services.context import Author, SignedIn, make_context
    from .ui.kit.worker import LONG, Jobs

    startup = _Startup()
    credentials = Credentials()
    opened = _open_chosen_database(args, settings, paths, credentials, startup, fail)
    if isinstance(opened, int):  # an exit code: told, or declined
        startup.shutdown()
        return opened
    engine, outcome, url = opened
    log.info("database %s opened (%s)", redact_url(url), outcome)
    # One context: every lane takes its own connection from the engine's pool, so a long
    # job (a recompute, an export, the alert check) never holds the interactive lane's.
    author = Author()  # signs every save (updated_by): this desk's name until the operator is chosen
    session = SignedIn()  # who is signed in: the services check their role
    units = uow_factory(engine, who=author)
    from .db.engine import sqlite_path_of as _local_path
    from .db.signin import ServerSignIn

    on_copy = startup.offline is not None
    from .admin import offline_link

    link = offline_link(startup.offline, settings, engine, units, url, _on_server(url, _local_path))
    ctx = make_context(units, session=session, offline=link)
    if _on_server(url, _local_path):  # the server checks passwords: signing in connects as the operator
        session.connect_as = ServerSignIn(url, units, mask=_mask_in_log)

    try:
        if args.demo and startup.call(customers.is_empty, ctx):
            from .services.demo import load_demo

            startup.call(load_demo, ctx)
            log.info("demo data loaded")
        # Statistics: a quick PRAGMA optimize now; a database never analysed gets its full
        # ANALYZE on the long lane once the first view is shown, not on the way to it (issue #17).
        analyse_later = startup.call(never_analysed, engine)
        if not analyse_later:
            startup.call(optimize, engine)
        operators = startup.call(catalog.operators, ctx)
        # The offline copy was unlocked with the operator's password: no other sign-in.
        first_administrator = not on_copy and startup.call(accounts.needs_first_administrator, ctx)
        staff = startup.call(accounts.accounts, ctx) if first_administrator else []
        every_package = startup.call(catalog.packages, ctx, True)
    except Exception as exc:  # noqa: BLE001
        from .ui.kit.errors import failure_message

        startup.shutdown()
        return fail(failure_message(N_("Desktop Helpdesk could not prepare its data."), exc, log), EXIT_FAILURE)
    startup.shutdown()
    jobs = Jobs(ctx)

    from .ui.shell.connect import ServerAccess, TeamServerActions
    from .ui.shell.accounts import AccountActions, FirstAdministratorDialog, SignInDialog
    from .ui.shell.mainwindow import MainWindow

    database = server_label(url) or ""
    if args.self_test:  # no one to type a password: the first administrator, or the first operator
        operator = next((o for o in operators if o.role == "admin"), operators[0] if operators else None)
    elif on_copy:
        operator = next((o for o in operators if getattr(o, "login", None) == startup.offline[1]), None)
        if operator is None:
            jobs.shutdown()
            return fail(_("The offline copy does not know the operator {login}.").format(
                login=startup.offline[1]), EXIT_DATABASE)
    else:
        dialog = (FirstAdministratorDialog(jobs, staff) if first_administrator
                  else SignInDialog(jobs, settings.last_login, database))
        if timing.enabled():  # once the dialog's loop runs (it is shown and painted)
            QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: timing.mark("signin_shown")))
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.operator is None:
            jobs.shutdown()
            return EXIT_OK
        operator = dialog.operator
        timing.mark("signed_in")
        settings.last_login = operator.login
    session.operator = operator
    author.set_operator(operator)
    if not args.self_test:
        from .ui.shell.setup import SetupWizard, needs_setup

        if needs_setup(every_package):  # a fresh database without the demo: company, package, week
            SetupWizard(jobs).exec()  # "Skip for now" opens the app all the same

    def save_settings():
        try:
            settings.save(paths.settings_file)
        except OSError:
            log.exception("cannot save settings")

    if not args.self_test:
        save_settings()  # the user name signed in with, offered at the next start even after a crash

    def set_language(lang: str) -> None:
        switcher.set_language(lang)
        settings.language = lang
        save_settings()

    #: Each restart asked for: None reopens the saved choice, a URL reopens that database.
    restart_requested: list[str | None] = []

    def restart(database_url: str | None = None) -> None:
        """Reopen on the database just chosen (the saved choice, or `database_url`): quit,
        and start again once everything is closed (the data folder's lock released)."""
        restart_requested.append(database_url)
        window.close()
        app.quit()

    timing.mark("building_window")
    if not args.self_test:  # the start view's first data first: long work waits for it (issue #17)
        jobs.hold(LONG)
    window = MainWindow(jobs, settings, save_settings, operator, "", set_language)
    window.look.theme = theme  # View → Colour scheme
    TeamServerActions(window, ServerAccess(
        probe=probe_server, explain=lambda reason: database_error_message(reason, server=True),
        restart=restart, credentials=credentials, settings=settings, save_settings=save_settings,
        server_label=server_label(url)))
    # Backups (issue #14, backup branch): the daily backup, File → Back up now / Restore….
    from .db.backup import SqliteBackups
    from .db.engine import sqlite_path_of, sqlite_url
    from .ui.shell.backup import BackupAccess, BackupActions

    local_file = sqlite_path_of(url) if not (_on_server(url, sqlite_path_of) or on_copy) else None
    # After a restore the program reopens the file it restored, whatever was saved or typed
    # (a saved team server that was down, a --database-url the restart would drop).
    window.backups = BackupActions(window, jobs, BackupAccess(
        SqliteBackups(local_file) if local_file else None, settings, save_settings, paths.data_dir,
        (lambda: restart(sqlite_url(local_file))) if local_file else restart),
        start=not args.self_test)
    # Import from Excel/CSV and its history (issue #14): on a local file and on the team server alike.
    from .ui.shell.importer import ImportActions

    window.imports = ImportActions(window, jobs, settings, save_settings)
    # The field laptop (issue #15): Work offline… on the team server; on the copy, the
    # offline indicator, the automatic sync, Sync now and Back to the team server.
    if link is not None:
        import platform

        from .ui.shell.offline import OfflineAccess, OfflineActions

        def go_offline(path: Path) -> None:
            settings.offline = {"copy": str(path), "login": session.operator.login if session.operator else "",
                                "active": True}
            save_settings()
            restart(None)

        def go_online() -> None:
            settings.offline = dict(settings.offline, active=False)
            save_settings()
            restart(None)

        window.offline = OfflineActions(window, jobs, OfflineAccess(
            paths.data_dir / "offline" / "helpdesk-offline.sqlite3", go_offline, go_online,
            platform.node() or "laptop"), on_copy=on_copy, start=not args.self_test)
    # Sign-in (issue #13): Operators…, Switch operator, Lock; the menu entries the role may use.
    window.accounts = AccountActions(window, jobs, session, author, settings, save_settings, database)

    if args.self_test:
        code = _self_test(app, window, jobs)
        window.close()
        jobs.shutdown()
        engine.dispose()
        return code

    timing.mark("window_built")
    window.show()

    def first_data(*_args) -> None:  # the start view's first data on screen (the dashboard's counts or a page)
        QTimer.singleShot(0, lambda: timing.mark("first_data"))
        QTimer.singleShot(0, lambda: jobs.release(LONG))

    window.dashboard.data_shown.connect(first_data)
    for page in window.pages.values():
        page.model.page_loaded.connect(first_data)
    QTimer.singleShot(3000, lambda: jobs.release(LONG))  # whatever the start view, not longer
    if analyse_later:
        jobs.submit(lambda _ctx: optimize(engine), lane=LONG)
    window.look.maybe_show_tour()  # the first start's tour, once (issue #19)
    if outcome == "upgraded":
        _tell_about_the_copy(window, url)
    window.alerts.start()
    # On the team server, a colleague's commit wakes the change feed at once (else it polls).
    listener = NotificationListener(engine, window.team_feed.poke.emit).start()
    code = app.exec()
    timing.mark("event_loop_ended")
    listener.stop()
    try:
        jobs.run_sync(lambda _ctx: optimize(engine))
    except Exception:  # noqa: BLE001 - statistics are an optimisation; never block quitting
        log.exception("PRAGMA optimize failed")
    timing.mark("optimized")
    jobs.shutdown()
    timing.mark("lanes_stopped")
    engine.dispose()
    if session.connect_as is not None:
        session.connect_as.dispose()
    if lock is not None:
        lock.unlock()
    timing.mark("closed")
    if restart_requested:
        program, arguments = restart_command(argv, restart_requested[-1])
        started, _pid = QProcess.startDetached(program, arguments, os.getcwd())
        if not started:
            log.error("cannot start again: %s", program)
            QMessageBox.warning(None, _("Desktop Helpdesk"), _(
                "Desktop Helpdesk could not start again by itself. Start it again to open the chosen database."))
    return code


from .instance import acquire_instance_lock, lock_is_stale, process_alive  # noqa: E402,F401 - part of the app's API (tests)


def open_anyway_box(pid: int, host: str, parent=None):
    """The question asked when another copy seems to have the data folder open: returns the
    message box and its "Open anyway" button (Cancel is the default)."""
    from PySide6.QtWidgets import QMessageBox

    from .i18n import _

    box = QMessageBox(QMessageBox.Icon.Warning, _("Desktop Helpdesk"), _(
        "Desktop Helpdesk seems to be running already with this data folder (process {pid} on the computer "
        "{host}).\n\nSwitch to its window. If you are sure that no other copy is open (it may have closed "
        "abnormally), choose Open anyway: two copies open at once may overwrite each other's settings.").format(
            pid=pid or "?", host=host or "?"), QMessageBox.StandardButton.NoButton, parent)
    open_button = box.addButton(_("Open anyway"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box, open_button


def ask_open_anyway(pid: int, host: str) -> bool:
    box, open_button = open_anyway_box(pid, host)
    box.exec()
    return box.clickedButton() is open_button


def _tell_about_the_copy(window, url: str) -> None:
    """After upgrading a local file, say once where the copy taken before it is."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from .db.engine import sqlite_path_of
    from .db.migrate import latest_backup
    from .i18n import _

    path = sqlite_path_of(url)
    copy = latest_backup(path) if path is not None else None
    if copy is None:
        return
    log.info("told the user about the copy %s taken before the upgrade", copy)
    QTimer.singleShot(0, lambda: QMessageBox.information(window, _("Desktop Helpdesk"), _(
        "The database was upgraded to this version of Desktop Helpdesk. A copy of it as it was before the "
        "upgrade is kept at:\n{path}\nYou may delete that copy once everything works as it should.").format(
            path=copy)))


def _open_chosen_database(args, settings, paths, credentials, startup, fail):
    """Open the database this start is for: `--database-url`, else the team server chosen in
    File → Connect to team server… (its password from the credential store, or asked), else
    the file in the data folder. A team server that cannot be used is explained, with the
    local file offered instead. Returns (engine, outcome, url), or an exit code when the user
    was told why nothing opens (or declined the local file)."""
    from PySide6.QtWidgets import QMessageBox

    from .db.engine import open_database, password_of, redact_url, sqlite_path_of, sqlite_url
    from .domain.errors import DatabaseOpenError
    from .i18n import _
    from .settings import TeamServer

    local_url = sqlite_url(paths.database_file)
    url = args.database_url or local_url
    copy = settings.offline if (settings.offline.get("active") and not args.database_url and not args.self_test) else {}
    if copy:
        opened = _open_offline_copy(copy, startup)
        if opened is not None:
            return opened
        settings.offline = dict(copy, active=False)  # declined: the team server (or the local file) opens
    # A team server chosen in File → Connect to team server… (the command line wins).
    server = None if args.database_url else TeamServer.from_dict(settings.team_server)
    if server is not None:
        server_url = team_server_url(server, credentials, None if args.self_test else ask_password)
        if server_url is None and args.self_test:
            return fail(_("No password for the team server {server}.").format(server=server.label), EXIT_DATABASE)
        if server_url is None:
            QMessageBox.information(None, _("Desktop Helpdesk"), _(
                "No password was given for the team server {server}: Desktop Helpdesk opens the database "
                "file on this computer this time.").format(server=server.label))
            server = None
        else:
            url = server_url
            _mask_in_log(password_of(url))
    while True:
        try:
            engine, outcome = startup.call(open_database, url)
            break
        except Exception as exc:  # noqa: BLE001 - anything is logged and explained, never a traceback
            on_server = _on_server(url, sqlite_path_of)
            if isinstance(exc, DatabaseOpenError):
                # The detail (the driver's words) is for the administrator, in the log; it never
                # holds the password (open_database masks it, and so does the log's formatter).
                log.error("cannot open database %s: %s", redact_url(url), exc, exc_info=exc)
                message = database_error_message(exc.reason, server=on_server, path=exc.path)
            else:
                log.exception("cannot open database %s", redact_url(url))
                message = database_error_message("unreachable") + f"\n({type(exc).__name__})"
            if server is None or args.self_test:
                return fail(message, EXIT_DATABASE)
            # The saved team server cannot be used now: say why, offer the local file.
            answer = QMessageBox.question(
                None, _("Desktop Helpdesk"),
                message + "\n\n" + _("Open the database file on this computer instead? (The team server stays "
                                      "chosen for the next start; File → Use the local database file forgets it.)"),
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Open)
            if answer != QMessageBox.StandardButton.Open:
                return EXIT_DATABASE
            server, url = None, local_url
    return engine, outcome, url


def _open_offline_copy(copy: dict, startup):
    """The field laptop's encrypted copy (issue #15), unlocked with the operator's password.
    Returns (engine, outcome, url), or None when the user chose not to open it."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

    from .db.engine import sqlite_url
    from .db.offline import open_copy
    from .domain.errors import DatabaseOpenError
    from .i18n import _

    path = Path(copy.get("copy", ""))
    if not path.exists():
        QMessageBox.warning(None, _("Desktop Helpdesk"), _(
            "The offline copy {path} is not on this computer any more: Desktop Helpdesk opens the team server "
            "instead.").format(path=path))
        return None
    prompt = _("This laptop works offline on its own encrypted copy.\nPassword of {login}:").format(
        login=copy.get("login", ""))
    while True:
        password, ok = QInputDialog.getText(None, _("Desktop Helpdesk — offline copy"), prompt,
                                            QLineEdit.EchoMode.Password)
        if not ok:
            return None
        try:
            engine = startup.call(open_copy, path, password)
        except DatabaseOpenError as exc:
            if exc.reason != DatabaseOpenError.WRONG_KEY:
                log.error("cannot open the offline copy: %s", exc.reason)
                QMessageBox.warning(None, _("Desktop Helpdesk"), database_error_message(exc.reason, path=str(path)))
                return None
            prompt = _("That password does not open the copy. Password of {login}:").format(login=copy.get("login", ""))
            continue
        _mask_in_log(password)
        startup.offline = (path, copy.get("login", ""), password)
        return engine, "opened", sqlite_url(path)


def _secrets(url: str | None) -> list[str]:
    """What the log must never show: the password of the database address."""
    if not url:
        return []
    from .db.engine import password_of

    password = password_of(url)
    return [password] if password else []


def _mask_in_log(secret: str | None) -> None:
    """Mask one more secret (the saved team server's password) in the log file."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, SecretFreeFormatter):
            handler.formatter._secrets.append(secret)


def team_server_url(server, credentials, ask_password) -> str | None:
    """The address of the saved team server with its password: from the credential store,
    else asked (`ask_password(server)` -> the password, or None when the user cancels; no
    asking when it is None). None when there is no password to use."""
    password = credentials.get(server.credential_name) if server.remember_password else None
    if password is None:
        password = ask_password(server) if ask_password is not None else None
        if password is None:
            return None
    return server.url(password)


def ask_password(server) -> str | None:
    """A small dialog for the team server's password (none saved, or no credential store)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from .i18n import _

    text, ok = QInputDialog.getText(
        None, _("Desktop Helpdesk"),
        _("Password of {user} on the team server {server}:").format(user=server.user, server=server.label),
        QLineEdit.EchoMode.Password)
    return text if ok else None


def probe_server(url: str) -> tuple[str, str | None]:
    """Test a team server address without changing anything: its PostgreSQL version and its
    schema revision (None: an empty database). Raises DatabaseOpenError: it cannot be
    reached or used, or its schema is not the one this program works with."""
    from .db.engine import classify, connect_database, redact_url
    from .db.migrate import SCHEMA_HEAD, current_revision, known_revisions
    from .domain.errors import DatabaseOpenError as E

    try:
        engine = connect_database(url, must_exist=True)
    except E:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed address, a driver's surprise
        log.info("cannot test %s (%s)", redact_url(url), type(exc).__name__)
        raise E(E.UNREACHABLE, type(exc).__name__) from None
    try:
        with engine.connect() as conn:
            version = str(conn.exec_driver_sql("SHOW server_version").scalar()).split()[0]
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()").scalar()
        revision = current_revision(engine)
    except Exception as exc:  # noqa: BLE001
        raise classify(exc) from None
    finally:
        engine.dispose()
    if revision is None and tables:
        raise E(E.CORRUPT, "the database has tables but no schema version")
    if revision is not None and revision != SCHEMA_HEAD:
        raise E(E.SCHEMA_OLDER, revision) if revision in known_revisions() else E(E.NEWER, revision)
    return version, revision


def server_label(url: str) -> str | None:
    """What the status bar shows for the open database: "host/database" on a server, None
    for a file (shown as "This computer": never a path, never a password)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001
        return None
    if u.get_backend_name() == "sqlite":
        return None
    return f"{u.host or 'localhost'}/{u.database or ''}"


def restart_command(argv: list[str], database_url: str | None = None) -> tuple[str, list[str]]:
    """How to start this program again with the same interpreter and arguments, less those
    that would override the database just chosen (--database-url) or fill it (--demo); with
    `database_url`, on that database (a restored file) whatever else was saved or typed."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--database-url":
            skip = True
        elif arg.startswith("--database-url=") or arg in ("--demo", "--self-test"):
            continue
        else:
            kept.append(arg)
    if database_url:
        kept += ["--database-url", database_url]
    if getattr(sys, "frozen", False):
        return sys.executable, kept
    # `python -m desktop_helpdesk …` or the `desktop-helpdesk` script: what came before the
    # program's own arguments ("-m", "desktop_helpdesk"; the script's path).
    orig = list(getattr(sys, "orig_argv", []) or [sys.executable, *sys.argv])
    own = len(sys.argv) - 1
    prefix = orig[1:len(orig) - own] if own else orig[1:]
    return sys.executable, [*prefix, *kept]


def _on_server(url: str, sqlite_path_of) -> bool:
    try:
        return sqlite_path_of(url) is None and not url.lower().startswith("sqlite")
    except Exception:  # noqa: BLE001 - a malformed address is not a file
        return True


def _self_test(app, window, jobs) -> int:
    """Load one page of every list and open every dialog; report in one line."""
    from PySide6.QtCore import QEventLoop, QTimer

    from .ui.contracts.dialog import ContractDialog

    from .ui.customers.dialog import CustomerDialog

    from .ui.tickets.dialog import TicketDialog

    results: dict[str, object] = {}
    loop = QEventLoop()
    window.dashboard.reload()
    for key, page in window.pages.items():
        model = page.model
        model.page_loaded.connect(lambda n, k=key: (results.setdefault(k, n), _maybe_quit(results, window, loop)))
        model.load_failed.connect(lambda exc, k=key: (results.setdefault(k, exc), _maybe_quit(results, window, loop)))
        if model.rowCount() == 0 and not model.loading:
            model.reload()
    QTimer.singleShot(30_000, loop.quit)
    if len(results) < len(window.pages):
        loop.exec()
    failures = [f"{k}: {v}" for k, v in results.items() if isinstance(v, BaseException)]
    missing = [k for k in window.pages if k not in results]
    dialogs = [CustomerDialog(jobs, window), ContractDialog(jobs, window.packages, window),
               TicketDialog(jobs, window.operators, window)]
    for d in dialogs:
        d.deleteLater()
    if not failures and not missing:
        try:
            written = _self_test_files(window, jobs)
        except Exception as exc:  # a bundle without openpyxl, the PDF writer or the fonts
            log.exception("self-test: writing the export and the report failed")
            failures.append(f"export and report: {exc!r}")
    if failures or missing:
        print(f"self-test FAILED: {'; '.join(failures + [f'{m}: no page within 30 s' for m in missing])}", file=sys.stderr)
        return EXIT_FAILURE
    counts = ", ".join(f"{k} {results[k]}" for k in window.pages)
    print(f"self-test OK: database migrated, main window, {len(window.pages)} views and {len(dialogs)} dialogs built; "
          f"first page loaded ({counts} rows); {written} written")
    return EXIT_OK


def _self_test_files(window, jobs) -> str:
    """Write the loaded tickets to Excel and CSV and a report page to PDF in a temporary
    folder, as Ctrl+E and "Save as PDF" do: a bundle missing openpyxl, the PDF writer, the
    print support or the report fonts fails here instead of in front of a user."""
    import tempfile
    from pathlib import Path

    from PySide6.QtPrintSupport import QPrintDialog  # noqa: F401  (the print dialog's module is bundled)

    from .services.export import ExportFile
    from .ui.shell.export import shown_columns
    from .ui.kit.documents import write_pdf

    page = window.pages["tickets"]
    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
    columns = shown_columns(page)
    sizes = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("tickets.xlsx", "tickets.csv"):
            out = ExportFile(Path(tmp) / name, columns, "Tickets")
            out.write(rows)
            sizes.append(out.commit().path.stat().st_size)
        pdf = write_pdf("<h2>Biên bản hỗ trợ kỹ thuật – Đặng Văn Đức</h2><p>Kiểm tra phông chữ tiếng Việt.</p>",
                        Path(tmp) / "report.pdf", "self-test")
        sizes.append(pdf.stat().st_size)
    if not all(sizes):
        raise RuntimeError("an empty file was written")
    return f"export xlsx + csv ({len(rows)} tickets) and a PDF report"


def _maybe_quit(results, window, loop) -> None:
    if len(results) >= len(window.pages):
        loop.quit()
