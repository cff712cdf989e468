"""`python -m masteria.sandbox`: serve the sandbox with its settings."""

import gc

import uvicorn

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings


def main() -> None:
    """Run the sandbox until interrupted."""
    settings = SandboxSettings()
    app = create_app(settings)
    # Everything imported so far lives for the whole run: moving it out of the collector's reach keeps
    # full collections short, so the ledger's timestamps are not bunched up behind a GC pause.
    gc.freeze()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    main()
