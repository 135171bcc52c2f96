"""`python -m desktop_helpdesk`: the same as the `desktop-helpdesk` command."""

from desktop_helpdesk.app import run

run()
