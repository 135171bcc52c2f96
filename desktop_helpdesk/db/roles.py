"""The team server's accounts (issue #13): each operator signs in as their own PostgreSQL
login role, a member of one of three group roles whose rights the server enforces.

- `<prefix>_staff`: every operator (hotline operators, field technicians). Reads everything;
  writes the daily work (customers, contacts, contracts, payments, tickets, their history, the
  work log, alerts...). May not write packages, the firm's calendar days, the operators, the
  company details or the working week (app_meta's `vendor.*` and `calendar.week`), and may
  only add to the history (ticket, contract and customer events), never change or delete it.
- `<prefix>_leads`: staff, plus packages, calendar days, company details and working week.
- `<prefix>_admins`: leads, plus the operators table; their login roles have CREATEROLE so
  File → Operators can create, disable and reset the others' login roles.

Group roles belong to the whole PostgreSQL cluster, so their names start with a prefix made
from the database's name when the migration ran (kept in app_meta as `server.roles`): two
helpdesk databases on one server do not share their groups.

Whoever connects, the author of a history row is the server's session user when that user is
an operator (a trigger sets `operator_id`), not a value the client sends.
"""

from __future__ import annotations

import re

from sqlalchemy import text

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


def install(connection) -> str:
    """Create the group roles (if missing) and grant them their rights on this database;
    the history's author trigger. Run by the migration as the database's owner. Returns the
    prefix."""
    database = connection.execute(text("SELECT current_database()")).scalar()
    prefix = prefix_for(database)
    staff, leads, admins = (f"{prefix}_{g}" for g in ("staff", "leads", "admins"))
    for role in (staff, leads, admins):
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            connection.execute(text(f"CREATE ROLE {_q(role)} NOLOGIN"))
    connection.execute(text(f"GRANT {_q(staff)} TO {_q(leads)}"))
    connection.execute(text(f"GRANT {_q(leads)} TO {_q(admins)}"))
    connection.execute(text(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(staff)}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {_q(staff)}"))
    for what in ("TABLES", "SEQUENCES"):
        rights = "SELECT, INSERT, UPDATE, DELETE" if what == "TABLES" else "USAGE, SELECT, UPDATE"
        connection.execute(text(f"GRANT {rights} ON ALL {what} IN SCHEMA public TO {_q(staff)}"))
        # Tables later migrations add (run by the same owner) get the same rights.
        connection.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {rights} ON {what} TO {_q(staff)}"))
    connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {_q(staff)}"))
    for table in MANAGED + ADMINISTERED:
        connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {_q(staff)}"))
    for table in MANAGED:
        connection.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {_q(leads)}"))
    for table in ADMINISTERED:
        connection.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {_q(admins)}"))
    for table in HISTORY:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {_q(staff)}"))
    # app_meta holds the daily work's marks (the alert check's) and the managed keys alike:
    # a trigger refuses the managed keys to anyone not in the leads' group.
    patterns = " OR ".join(f"k LIKE '{p}'" for p in MANAGED_META)
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION helpdesk_meta_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE k text := COALESCE(NEW.key, OLD.key);
        BEGIN
            IF ({patterns}) AND NOT pg_has_role(session_user, {_literal(leads)}, 'MEMBER')
               AND session_user <> (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
               AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
                RAISE EXCEPTION 'only leads and administrators change %', k USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$"""))
    connection.execute(text("DROP TRIGGER IF EXISTS app_meta_guard ON app_meta"))
    connection.execute(text("CREATE TRIGGER app_meta_guard BEFORE INSERT OR UPDATE OR DELETE ON app_meta "
                            "FOR EACH ROW EXECUTE FUNCTION helpdesk_meta_guard()"))
    # The author of a history row is the operator signed in to the server.
    connection.execute(text("""
        CREATE OR REPLACE FUNCTION helpdesk_history_author() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE me integer;
        BEGIN
            SELECT id INTO me FROM operators WHERE login = session_user;
            IF FOUND THEN NEW.operator_id := me; END IF;
            RETURN NEW;
        END $$"""))
    for table in HISTORY:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_author ON {table}"))
        connection.execute(text(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} "
                                "FOR EACH ROW EXECUTE FUNCTION helpdesk_history_author()"))
    connection.execute(text("INSERT INTO app_meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
                       {"k": PREFIX_KEY, "v": prefix})
    return prefix


def uninstall(connection) -> None:
    for table in HISTORY:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_author ON {table}"))
    connection.execute(text("DROP TRIGGER IF EXISTS app_meta_guard ON app_meta"))
    connection.execute(text("DROP FUNCTION IF EXISTS helpdesk_history_author()"))
    connection.execute(text("DROP FUNCTION IF EXISTS helpdesk_meta_guard()"))
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


def save_login(connection, login: str, role: str, active: bool, password: str | None, new: bool) -> None:
    """Create or change an operator's login role: LOGIN or NOLOGIN, its password when given,
    membership of exactly the group its role asks (administrators also get CREATEROLE)."""
    names = groups(connection)
    group = names[GROUP_OF_ROLE[role]]
    row = connection.execute(text(
        "SELECT r.oid, r.rolsuper, EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "WHERE m.member = r.oid AND g.rolname = ANY(:groups)) AS ours FROM pg_roles r WHERE r.rolname = :login"),
        {"login": login, "groups": list(names.values())}).first()
    if row is not None and (row.rolsuper or (new and not row.ours)):
        raise LoginTaken(login)
    attributes = ("LOGIN" if active else "NOLOGIN") + (" CREATEROLE" if role == OperatorRole.ADMIN.value else " NOCREATEROLE")
    if row is None:
        connection.execute(text(f"CREATE ROLE {_q(login)} {attributes}"))
    else:
        connection.execute(text(f"ALTER ROLE {_q(login)} {attributes}"))
    if password is not None:
        set_password(connection, login, password)
    for name in names.values():
        if name == group:
            connection.execute(text(f"GRANT {_q(name)} TO {_q(login)}"))
        else:
            connection.execute(text(f"REVOKE {_q(name)} FROM {_q(login)}"))


def set_password(connection, login: str, password: str) -> None:
    """Utility statements take no parameters: the password goes as a quoted literal (the
    server stores its SCRAM verifier; statement logging of DDL would show it, so keep it off)."""
    connection.execute(text(f"ALTER ROLE {_q(login)} PASSWORD {_literal(password)}"))
