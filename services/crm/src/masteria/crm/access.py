"""Who may do what: viewers read, agents work contacts and the inbox, admins delete and export in bulk."""

from __future__ import annotations

from masteria.runtime.auth import require_roles

writers = require_roles("owner", "admin", "agent")
admins = require_roles("owner", "admin")
