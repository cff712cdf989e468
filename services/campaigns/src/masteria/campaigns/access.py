"""Who may do what: anyone of the tenant reads campaigns; owners, admins and agents create and run them."""

from __future__ import annotations

from masteria.runtime.auth import require_roles

writers = require_roles("owner", "admin", "agent")
