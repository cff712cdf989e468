"""Consent changes of one contact inside a batch reduce to their net effect, in arrival order."""

from __future__ import annotations

from masteria.campaigns.audience.view import ConsentFold


def test_the_last_word_per_channel_wins() -> None:
    fold = ConsentFold("+5511999990001")
    fold.opt_out("sms")
    fold.opt_in("sms")
    fold.opt_out("whatsapp_meta")
    assert (fold.clear, fold.add, fold.remove) == (False, {"whatsapp_meta"}, {"sms"})


def test_opting_in_everywhere_erases_earlier_refusals() -> None:
    fold = ConsentFold("+5511999990001")
    fold.opt_out("*")
    fold.opt_in(None)
    fold.opt_out("sms")
    assert (fold.clear, fold.add, fold.remove) == (True, {"sms"}, set())
