"""`python -m desktop_helpdesk`: the same as the `desktop-helpdesk` command."""

import sys

from desktop_helpdesk.app import main

sys.exit(main())
