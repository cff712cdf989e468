"""``python -m masteria.gateway``: serve the gateway."""

from masteria.gateway.main import build_service
from masteria.runtime.runner import run

if __name__ == "__main__":
    run(build_service())
