"""``python -m masteria.ai_engine`` serves the ai-engine service."""

from masteria.ai_engine.main import build_service
from masteria.runtime.runner import run

if __name__ == "__main__":
    run(build_service())
