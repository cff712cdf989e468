"""Which time zone names a tenant may have."""

from masteria.gateway.tenancy.roles import settings_denial
from masteria.gateway.tenancy.zones import DEFAULT_TIMEZONE, zone_error


def test_iana_names_are_accepted_and_others_say_why() -> None:
    for name in (DEFAULT_TIMEZONE, "Europe/Lisbon", "America/Argentina/ComodRivadavia", "UTC"):
        assert zone_error(name) is None, name
    for name in ("Mars/Olympus_Mons", "", "/etc/passwd", "../zoneinfo/UTC", "x" * 65):
        error = zone_error(name)
        assert error is not None, name
        assert "IANA" in error, name


def test_owners_and_admins_change_the_settings() -> None:
    assert settings_denial("owner") is None
    assert settings_denial("admin") is None
    assert (
        settings_denial("agent") == settings_denial("viewer") == "only owners and admins change the tenant's settings"
    )
