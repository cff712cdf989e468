"""`python -m masteria.sandbox`: serve the sandbox with its settings."""

import uvicorn

from masteria.sandbox.app import create_app
from masteria.sandbox.settings import SandboxSettings


def main() -> None:
    """Run the sandbox until interrupted."""
    settings = SandboxSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    main()
