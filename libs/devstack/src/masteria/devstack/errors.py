"""The one exception the devstack raises for problems a developer has to fix."""


class InfraError(RuntimeError):
    """A local engine could not be prepared; the message says what to do about it."""
