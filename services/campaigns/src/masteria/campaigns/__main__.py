"""``python -m masteria.campaigns`` serves the campaigns service."""

from masteria.campaigns.main import build_service
from masteria.runtime.runner import run

if __name__ == "__main__":
    run(build_service())
