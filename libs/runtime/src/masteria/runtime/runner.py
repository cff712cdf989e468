"""Run a service's app under uvicorn: one process, uvloop, no access log."""

from __future__ import annotations

import uvicorn

from masteria.runtime.service import Service


def run(service: Service) -> None:
    """Serve until SIGTERM; the lifespan starts and stops the engines."""
    uvicorn.run(
        service.http,
        host=service.settings.host,
        port=service.settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
