"""Entry point of `python -m masteria.devstack`."""

from .cli import main

raise SystemExit(main())
