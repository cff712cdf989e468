"""``python -m masteria.voice`` serves the voice service."""

from masteria.runtime.runner import run
from masteria.voice.main import build_service

if __name__ == "__main__":
    run(build_service())
