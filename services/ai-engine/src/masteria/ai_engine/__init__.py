"""AI agents, knowledge bases, lead scoring."""
