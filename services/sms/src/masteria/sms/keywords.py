"""Consent and help keywords: a whole message that is just STOP, START or HELP (any case).

Twilio's defaults: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE opt out;
START, YES, UNSTOP opt back in; HELP, INFO ask for help. Twilio matches the entire body, trimmed
and case-insensitive; this also tolerates surrounding punctuation ("Stop.") and accents ("SAÍR").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from masteria.contracts.messages import ConsentAction

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})


class KeywordKind(StrEnum):
    """What a keyword asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"

    @property
    def consent(self) -> ConsentAction | None:
        """The consent change it makes; HELP changes nothing."""
        return {"opt_out": ConsentAction.OPT_OUT, "opt_in": ConsentAction.OPT_IN}.get(self.value)


@dataclass(frozen=True)
class Keyword:
    """A recognised keyword and the word as the customer wrote it."""

    kind: KeywordKind
    word: str

    @property
    def handled_by_twilio(self) -> bool:
        """Twilio itself applies this word and answers it (its default keywords on every number)."""
        return _normalise(self.word) in OPT_OUT | OPT_IN | HELP

    @property
    def conditional_opt_in(self) -> bool:
        """YES re-subscribes only someone who had stopped; otherwise it is an ordinary answer."""
        return self.kind is KeywordKind.OPT_IN and _normalise(self.word) == "YES"


def _normalise(body: str) -> str:
    stripped = body.strip().strip(".!¡?¿,;:\"'()[]").strip()
    decomposed = unicodedata.normalize("NFKD", stripped)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def _words(spec: str) -> frozenset[str]:
    return frozenset(_normalise(word) for word in spec.split(",") if word.strip())


class KeywordTable:
    """Twilio's keywords plus the extra ones a deployment configures."""

    def __init__(self, extra_opt_out: str = "", extra_opt_in: str = "") -> None:
        self.table = {
            **dict.fromkeys(HELP, KeywordKind.HELP),
            **dict.fromkeys(OPT_IN | _words(extra_opt_in), KeywordKind.OPT_IN),
            **dict.fromkeys(OPT_OUT | _words(extra_opt_out), KeywordKind.OPT_OUT),
        }

    def match(self, body: str | None) -> Keyword | None:
        """The keyword ``body`` is, if it is one and nothing else."""
        if not body:
            return None
        kind = self.table.get(_normalise(body))
        return Keyword(kind, body.strip()) if kind else None


Language = Literal["pt", "en"]

REPLIES: dict[Language, dict[KeywordKind, str]] = {
    "pt": {
        KeywordKind.OPT_OUT: "Você não receberá mais mensagens deste número. Responda START para voltar a receber.",
        KeywordKind.OPT_IN: "Você voltou a receber mensagens deste número. Responda STOP para não receber mais.",
        KeywordKind.HELP: "Para falar com o atendimento, responda a esta mensagem. "
        "Responda STOP para não receber mais mensagens ou START para voltar a receber.",
    },
    "en": {
        KeywordKind.OPT_OUT: "You will receive no more messages from this number. Reply START to receive them again.",
        KeywordKind.OPT_IN: "You will receive messages from this number again. Reply STOP to stop them.",
        KeywordKind.HELP: "To reach support, reply to this message. "
        "Reply STOP to receive no more messages or START to receive them again.",
    },
}


def reply_for(kind: KeywordKind, language: Language) -> str:
    """The confirmation (or help text) sent back for a keyword."""
    return REPLIES[language][kind]
