"""The team server's accounts (issue #13): each operator signs in as their own PostgreSQL
login role, a member of one of three group roles whose rights the server enforces.

- `<prefix>_staff`: every operator (hotline operators, field technicians). Reads everything;
  writes the daily work (customers, contacts, contracts, payments, tickets, their history, the
  work log, alerts...). May not write packages, the firm's calendar days, the operators, the
  company details or the working week (app_meta's `vendor.*` and `calendar.week`), and may
  only add to the history (ticket, contract and customer events), never change or delete it.
- `<prefix>_leads`: staff, plus packages, calendar days, company details and working week.
- `<prefix>_admins`: leads, plus the operators table, and the functions through which File →
  Operators creates, renames, disables and resets operators' login roles. Those functions run
  as `<prefix>_keeper` (no login, CREATEROLE) and touch only this helpdesk's operators: no
  login role has CREATEROLE itself.

Group roles belong to the whole PostgreSQL cluster, so their names start with a prefix made
from the database's name when the migration ran (kept in app_meta as `server.roles`): two
helpdesk databases on one server do not share their groups.

Whoever connects, the author of a history row is the server's session user when that user is
an operator (a trigger sets `operator_id`), not a value the client sends.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..domain.enums import OperatorRole

#: app_meta key holding the group roles' prefix.
PREFIX_KEY = "server.roles"
#: Tables whose rows only leads and administrators write.
MANAGED = ("packages", "calendar_exceptions")
#: Tables only administrators write.
ADMINISTERED = ("operators",)
#: The append-only history: staff add rows, nobody changes or deletes them.
HISTORY = ("ticket_events", "contract_events", "customer_events")
#: app_meta keys only leads and administrators write (LIKE patterns).
MANAGED_META = ("vendor.%", "calendar.week")

GROUP_OF_ROLE = {
    OperatorRole.HOTLINE.value: "staff",
    OperatorRole.TECHNICIAN.value: "staff",
    OperatorRole.LEAD.value: "leads",
    OperatorRole.ADMIN.value: "admins",
}


def prefix_for(database: str) -> str:
    """A role-name prefix from a database's name: lower case letters, digits and '_', at most
    40 characters (PostgreSQL's names stop at 63)."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_") or "helpdesk"
    return cleaned[:40]


def _q(name: str) -> str:
    """A quoted identifier (role names come from our own prefix or a checked user name)."""
    return '"' + name.replace('"', '""') + '"'


#: Tables staff write but never delete from (a deletion would take history with it through a
#: cascade, or reset a limit); leads may delete customers and contracts (undoing an import).
NO_STAFF_DELETE = ("customers", "contracts", "tickets", "verification_attempts", "verification_questions",
                   "import_batches", "app_meta")
LEAD_DELETE = ("customers", "contracts", "contract_events", "customer_events")
#: Every function the roles use runs with this path: a session's own temporary tables (which
#: PostgreSQL would search first) never stand in for ours or for the catalog.
SAFE_PATH = "pg_catalog, public, pg_temp"


def install(connection) -> str:
    """Create the group roles (if missing) and grant them their rights on this database;
    the history's author trigger, the app_meta guard and the account functions. Run by the
    migration as the database's owner (a role with CREATEROLE). Returns the prefix."""
    database = connection.execute(text("SELECT current_database()")).scalar()
    prefix = prefix_for(database)
    staff, leads, admins, keeper = (f"{prefix}_{g}" for g in ("staff", "leads", "admins", "keeper"))
    for role in (staff, leads, admins, keeper):
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            connection.execute(text(f"CREATE ROLE {_q(role)} NOLOGIN"))
    # The keeper owns the account functions: it may create roles, nobody logs in as it, and
    # administrators reach it only through those functions (no login role has CREATEROLE,
    # which on PostgreSQL 15 could grant itself e.g. pg_execute_server_program).
    connection.execute(text(f"ALTER ROLE {_q(keeper)} NOLOGIN CREATEROLE"))
    connection.execute(text(f"GRANT pg_signal_backend TO {_q(keeper)}"))
    connection.execute(text(f"GRANT {_q(staff)} TO {_q(leads)}"))
    connection.execute(text(f"GRANT {_q(leads)} TO {_q(admins)}"))
    connection.execute(text(f"REVOKE TEMPORARY ON DATABASE {_q(database)} FROM PUBLIC"))
    connection.execute(text(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(staff)}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {_q(staff)}"))
    for what, rights in (("TABLES", "SELECT, INSERT, UPDATE, DELETE"), ("SEQUENCES", "USAGE, SELECT")):
        connection.execute(text(f"GRANT {rights} ON ALL {what} IN SCHEMA public TO {_q(staff)}"))
        # Tables later migrations add (run by the same owner) get the same rights.
        connection.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {rights} ON {what} TO {_q(staff)}"))
    connection.execute(text(f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {_q(staff)}"))  # no setval
    connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {_q(staff)}"))
    connection.execute(text(f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {_q(staff)}"))
    for table in MANAGED + ADMINISTERED:
        connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {_q(staff)}"))
    for table in MANAGED:
        connection.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {_q(leads)}"))
    for table in ADMINISTERED:  # operators are disabled, never deleted (the history names them)
        connection.execute(text(f"GRANT INSERT, UPDATE ON {table} TO {_q(admins)}"))
    for table in HISTORY:
        connection.execute(text(f"REVOKE UPDATE, DELETE ON {table} FROM {_q(staff)}"))
    for table in NO_STAFF_DELETE:
        connection.execute(text(f"REVOKE DELETE ON {table} FROM {_q(staff)}"))
    for table in LEAD_DELETE:
        connection.execute(text(f"GRANT DELETE ON {table} TO {_q(leads)}"))
    connection.execute(text(f"REVOKE UPDATE ON verification_attempts FROM {_q(staff)}"))
    connection.execute(text(f"GRANT UPDATE (matched) ON verification_attempts TO {_q(staff)}"))
    # app_meta holds the daily work's marks (the alert check's) and the managed keys alike:
    # a trigger refuses the managed keys to anyone not in the leads' group, whichever key a
    # row has before and after (a renamed key counts as both).
    managed = lambda k: "(" + " OR ".join(f"{k} LIKE '{p}'" for p in MANAGED_META) + ")"  # noqa: E731
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION public.helpdesk_meta_guard() RETURNS trigger LANGUAGE plpgsql
        SET search_path = {SAFE_PATH} AS $$
        BEGIN
            IF ((TG_OP <> 'INSERT' AND {managed('OLD.key')}) OR (TG_OP <> 'DELETE' AND {managed('NEW.key')}))
               AND NOT pg_catalog.pg_has_role(session_user, {_literal(leads)}, 'MEMBER')
               AND session_user <> (SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database
                                    WHERE datname = pg_catalog.current_database())
               AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user) THEN
                RAISE EXCEPTION 'only leads and administrators change the company details and the working week'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$"""))
    connection.execute(text("DROP TRIGGER IF EXISTS app_meta_guard ON app_meta"))
    connection.execute(text("CREATE TRIGGER app_meta_guard BEFORE INSERT OR UPDATE OR DELETE ON app_meta "
                            "FOR EACH ROW EXECUTE FUNCTION public.helpdesk_meta_guard()"))
    # The author of a history row is the operator signed in to the server.
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION public.helpdesk_history_author() RETURNS trigger LANGUAGE plpgsql
        SET search_path = {SAFE_PATH} AS $$
        DECLARE me integer;
        BEGIN
            SELECT id INTO me FROM public.operators WHERE login = session_user;
            IF FOUND THEN NEW.operator_id := me; END IF;
            RETURN NEW;
        END $$"""))
    for table in HISTORY:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_author ON {table}"))
        connection.execute(text(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} "
                                "FOR EACH ROW EXECUTE FUNCTION public.helpdesk_history_author()"))
    _install_account_functions(connection, database, {"staff": staff, "leads": leads, "admins": admins}, keeper)
    if connection.execute(text("SELECT to_regclass('public.attachments')")).scalar() is not None:
        install_attachments(connection, prefix)  # installed again: the grants above gave staff too much
    connection.execute(text("INSERT INTO app_meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
                       {"k": PREFIX_KEY, "v": prefix})
    return prefix


#: The attachments (migration 0022): append-only like the history.
ATTACHMENT_TABLES = ("attachments", "attachment_contents")


def install_attachments(connection, prefix: str) -> None:
    """Staff (and so leads and administrators, its members) add attachments and mark them
    removed, nothing else: no DELETE on either table, UPDATE of an attachment's removal
    columns only, and the author of a new attachment is the server's session user."""
    staff = _q(f"{prefix}_staff")
    for table in ATTACHMENT_TABLES:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {staff}"))
    connection.execute(text(f"GRANT UPDATE (removed_at, removed_by_id) ON attachments TO {staff}"))
    connection.execute(text("DROP TRIGGER IF EXISTS attachments_author ON attachments"))
    connection.execute(text("CREATE TRIGGER attachments_author BEFORE INSERT ON attachments "
                            "FOR EACH ROW EXECUTE FUNCTION public.helpdesk_history_author()"))


def _install_account_functions(connection, database: str, groups: dict[str, str], keeper: str) -> None:
    """helpdesk_save_login and helpdesk_rename_login: what File → Operators does to login
    roles, run as the keeper (SECURITY DEFINER) for administrators only, and only on roles
    that are this helpdesk's operators (members of its groups) or new ones."""
    ours = "ARRAY[" + ", ".join(_literal(g) for g in groups.values()) + "]::text[]"
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION public.helpdesk_is_ours(who text) RETURNS boolean LANGUAGE sql STABLE
        SET search_path = {SAFE_PATH} AS $$
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                           JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                           JOIN pg_catalog.pg_roles r ON r.oid = m.member
                           WHERE r.rolname = who AND g.rolname = ANY({ours}))
        $$"""))
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION public.helpdesk_save_login(login text, grp text, can_login boolean,
                                                              verifier text, is_new boolean)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SAFE_PATH} AS $$
        DECLARE g text;
        BEGIN
            IF login !~ '^[a-z][a-z0-9._-]{{1,62}}$' OR NOT (grp = ANY({ours})) THEN
                RAISE EXCEPTION 'not a user name or group of this helpdesk' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = login) THEN
                IF NOT public.helpdesk_is_ours(login) OR (SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles
                                                          WHERE rolname = login) THEN
                    RAISE EXCEPTION 'the role % is not an operator of this helpdesk', login
                        USING ERRCODE = 'duplicate_object';
                END IF;
            ELSE
                EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', login);
            END IF;
            EXECUTE pg_catalog.format('ALTER ROLE %I %s NOCREATEROLE', login,
                                      CASE WHEN can_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
            IF verifier IS NOT NULL THEN
                IF verifier !~ '^SCRAM-SHA-256[$]' THEN
                    RAISE EXCEPTION 'a SCRAM verifier is expected' USING ERRCODE = 'invalid_parameter_value';
                END IF;
                EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', login, verifier);
            END IF;
            FOREACH g IN ARRAY {ours} LOOP
                IF g = grp THEN
                    EXECUTE pg_catalog.format('GRANT %I TO %I', g, login);
                ELSE
                    EXECUTE pg_catalog.format('REVOKE %I FROM %I', g, login);
                END IF;
            END LOOP;
            IF NOT can_login THEN  -- a disabled operator's open sessions end now
                PERFORM pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
                    WHERE usename = login AND pid <> pg_catalog.pg_backend_pid();
            END IF;
        END $$"""))
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION public.helpdesk_rename_login(old_login text, new_login text)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SAFE_PATH} AS $$
        BEGIN
            IF new_login !~ '^[a-z][a-z0-9._-]{{1,62}}$' OR NOT public.helpdesk_is_ours(old_login)
               OR (SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = old_login) THEN
                RAISE EXCEPTION 'not an operator of this helpdesk' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            EXECUTE pg_catalog.format('ALTER ROLE %I RENAME TO %I', old_login, new_login);
        END $$"""))
    for fn in ("helpdesk_save_login(text, text, boolean, text, boolean)", "helpdesk_rename_login(text, text)"):
        connection.execute(text(f"ALTER FUNCTION public.{fn} OWNER TO {_q(keeper)}"))
        connection.execute(text(f"REVOKE ALL ON FUNCTION public.{fn} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION public.{fn} TO {_q(groups['admins'])}"))
        # The server's administrator running the migration creates the first administrator.
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION public.{fn} TO CURRENT_USER"))


def uninstall(connection) -> None:
    connection.execute(text("DROP TRIGGER IF EXISTS attachments_author ON attachments")
                       if connection.execute(text("SELECT to_regclass('public.attachments')")).scalar() is not None
                       else text("SELECT 1"))
    for table in HISTORY:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_author ON {table}"))
    connection.execute(text("DROP TRIGGER IF EXISTS app_meta_guard ON app_meta"))
    connection.execute(text("DROP FUNCTION IF EXISTS helpdesk_history_author()"))
    connection.execute(text("DROP FUNCTION IF EXISTS helpdesk_meta_guard()"))
    for fn in ("helpdesk_save_login(text, text, boolean, text, boolean)", "helpdesk_rename_login(text, text)",
               "helpdesk_is_ours(text)"):
        connection.execute(text(f"DROP FUNCTION IF EXISTS public.{fn}"))
    connection.execute(text("DELETE FROM app_meta WHERE key = :k"), {"k": PREFIX_KEY})
    # The group roles stay (they belong to the cluster and may hold members); their rights
    # on this database's objects go with the objects or stay harmless.


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- operators' login roles (File → Operators on the team server) --------------------------
class LoginTaken(Exception):
    """The user name is a role of this server that is not one of this helpdesk's operators
    (e.g. `postgres`): it is never taken over."""


def groups(connection) -> dict[str, str]:
    prefix = connection.execute(text("SELECT value FROM app_meta WHERE key = :k"), {"k": PREFIX_KEY}).scalar()
    if not prefix:
        raise RuntimeError("the team server's roles are not installed (run `desktop-helpdesk server upgrade`)")
    return {g: f"{prefix}_{g}" for g in ("staff", "leads", "admins")}


def verifier(connection, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier the server stores for `password`, computed here by libpq:
    the password itself is never in a statement (nor in a log that quotes one)."""
    pgconn = connection.connection.dbapi_connection.pgconn
    return pgconn.encrypt_password(password.encode("utf-8"), login.encode("utf-8"), b"scram-sha-256").decode("ascii")


def save_login(connection, login: str, role: str, active: bool, password: str | None, new: bool) -> None:
    """Create or change an operator's login role through helpdesk_save_login: LOGIN or
    NOLOGIN (a disabled operator's sessions end), the password when given, membership of
    exactly the group its role asks. LoginTaken for a role of the server that is no operator."""
    names = groups(connection)
    secret = verifier(connection, login, password) if password is not None else None
    try:
        with connection.begin_nested():
            connection.execute(text("SELECT public.helpdesk_save_login(:login, :grp, :active, :secret, :new)"),
                               {"login": login, "grp": names[GROUP_OF_ROLE[role]], "active": active,
                                "secret": secret, "new": new})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42710":  # duplicate_object: someone else's role
            raise LoginTaken(login) from None
        raise


def rename_login(connection, old_login: str, new_login: str) -> None:
    connection.execute(text("SELECT public.helpdesk_rename_login(:old, :new)"), {"old": old_login, "new": new_login})


def set_password(connection, login: str, password: str) -> None:
    """An operator's own password (any role may change its own): the verifier, not the text."""
    # exec_driver_sql: the verifier's ':' would read as a bind parameter in text().
    connection.exec_driver_sql(f"ALTER ROLE {_q(login)} PASSWORD {_literal(verifier(connection, login, password))}")
