"""SQLAlchemy implementation of the services' storage protocol (services/ports.py), one
module per area. `_sql` holds what they share (list filters, keyset pages, code numbering,
the repository base); `..uow` puts them together in a unit of work, and
`from desktop_helpdesk.db.uow import uow_factory` is how the app gets one.

This package re-exports nothing: import a repository from its own module.
"""
