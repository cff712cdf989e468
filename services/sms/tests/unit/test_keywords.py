"""STOP / START / HELP: the whole message, any case, Twilio's words plus configured extras."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from masteria.contracts.messages import ConsentAction
from masteria.sms.keywords import KeywordKind, KeywordTable, reply_for
from masteria.sms.webhooks.service import should_reply

TABLE = KeywordTable(extra_opt_out="PARAR,SAIR", extra_opt_in="VOLTAR")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("STOP", KeywordKind.OPT_OUT),
        (" stop ", KeywordKind.OPT_OUT),
        ("Stop.", KeywordKind.OPT_OUT),
        ("STOPALL", KeywordKind.OPT_OUT),
        ("unsubscribe", KeywordKind.OPT_OUT),
        ("Cancel", KeywordKind.OPT_OUT),
        ("END", KeywordKind.OPT_OUT),
        ("quit", KeywordKind.OPT_OUT),
        ("parar", KeywordKind.OPT_OUT),
        ("Saír!", KeywordKind.OPT_OUT),
        ("START", KeywordKind.OPT_IN),
        ("yes", KeywordKind.OPT_IN),
        ("Unstop", KeywordKind.OPT_IN),
        ("voltar", KeywordKind.OPT_IN),
        ("HELP", KeywordKind.HELP),
        ("info", KeywordKind.HELP),
    ],
)
def test_keywords_are_recognised(body: str, kind: KeywordKind) -> None:
    keyword = TABLE.match(body)
    assert keyword is not None
    assert keyword.kind is kind
    assert keyword.word == body.strip()


@pytest.mark.parametrize("body", ["please stop texting me", "STOP IT", "stopp", "", None, "start now", "helpful"])
def test_only_a_message_that_is_the_keyword_counts(body: str | None) -> None:
    assert TABLE.match(body) is None


def test_consent_actions_and_who_answers() -> None:
    stop, parar, yes, start = (TABLE.match(w) for w in ("STOP", "PARAR", "YES", "START"))
    assert stop
    assert parar
    assert yes
    assert start
    assert stop.kind.consent is ConsentAction.OPT_OUT
    assert start.kind.consent is ConsentAction.OPT_IN
    assert KeywordKind.HELP.consent is None
    assert stop.handled_by_twilio
    assert start.handled_by_twilio
    assert not parar.handled_by_twilio  # Twilio does not know it: we confirm it ourselves
    assert yes.conditional_opt_in
    assert not start.conditional_opt_in


def test_replies_in_both_languages() -> None:
    assert reply_for(KeywordKind.OPT_OUT, "pt").startswith("Você não receberá mais mensagens")
    assert "Responda START para voltar a receber." in reply_for(KeywordKind.OPT_OUT, "pt")
    assert "Reply START" in reply_for(KeywordKind.OPT_OUT, "en")
    assert all(reply_for(kind, lang) for kind in KeywordKind for lang in ("pt", "en"))


@pytest.mark.parametrize(
    ("mode", "body", "params", "expected"),
    [
        ("auto", "STOP", {}, False),  # Twilio answers its own keywords
        ("auto", "PARAR", {}, True),  # Twilio does not know this one
        ("auto", "PARAR", {"OptOutType": "STOP"}, False),  # Advanced Opt-Out said it answered
        ("always", "STOP", {}, True),
        ("never", "PARAR", {}, False),
    ],
)
def test_who_confirms_a_keyword(mode: str, body: str, params: dict[str, str], expected: bool) -> None:
    context = SimpleNamespace(settings=SimpleNamespace(keyword_replies=mode))
    keyword = TABLE.match(body)
    assert keyword is not None
    assert should_reply(context, keyword, params) is expected  # type: ignore[arg-type]
