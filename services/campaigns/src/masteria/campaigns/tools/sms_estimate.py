"""What a variant costs in SMS segments, from its message rendered for a sample of the audience.

Variables change the length (``{{first_name}}`` is 3 letters for Ana, 12 for Maximiliano) and one
accented name turns a whole message to UCS-2, so the estimate renders real contacts rather than the
template. A text counts its GSM-7 or UCS-2 segments (masteria.segments, as Twilio bills them); a media
message goes as one MMS; any other content cannot go by SMS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from masteria.contracts.content import AnyContent, MediaContent, TextContent
from masteria.segments import count, ucs2_characters

MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies (error 21617)
MMS = "MMS"
_SHOWN_CHARACTERS = 10


class NotSmsContentError(ValueError):
    """The content has no SMS form (a template, buttons, a location...)."""


@dataclass(frozen=True)
class SmsCost:
    """One rendered message: its encoding (GSM-7, UCS-2 or MMS), segments, and what forced UCS-2."""

    encoding: str
    segments: int
    characters: int
    ucs2_characters: tuple[str, ...] = ()


def sms_cost(content: AnyContent) -> SmsCost:
    """The segments one rendered content is billed as; NotSmsContentError when SMS cannot carry it."""
    if isinstance(content, TextContent):
        counted = count(content.body)
        forced = tuple(ucs2_characters(content.body)) if counted.encoding == "UCS-2" else ()
        return SmsCost(counted.encoding, counted.segments, len(content.body), forced)
    if isinstance(content, MediaContent) and content.url:
        return SmsCost(MMS, 1, len(content.caption or ""))
    raise NotSmsContentError(f"a {content.kind} message cannot be sent by SMS: use text, or media with a url")


@dataclass
class SampleStats:
    """Segments of one variant over the sampled contacts (``None`` renders miss a variable)."""

    rendered: int = 0
    missing_variable: int = 0
    too_long: int = 0
    segments: list[int] = field(default_factory=list)
    encodings: Counter[str] = field(default_factory=Counter)
    forced: dict[str, None] = field(default_factory=dict)  # ordered set of the characters that forced UCS-2

    @classmethod
    def of(cls, contents: Iterable[AnyContent | None]) -> SampleStats:
        """Count every rendered content of the sample."""
        stats = cls()
        for content in contents:
            stats.rendered += 1
            if content is None:
                stats.missing_variable += 1
                continue
            cost = sms_cost(content)
            stats.segments.append(cost.segments)
            stats.encodings[cost.encoding] += 1
            stats.too_long += cost.characters > MAX_BODY_CHARS
            stats.forced.update(dict.fromkeys(cost.ucs2_characters))
        return stats

    @property
    def sendable_share(self) -> float:
        """Share of the sample that renders completely (1 for an empty sample: nothing says otherwise)."""
        return (self.rendered - self.missing_variable) / self.rendered if self.rendered else 1.0

    @property
    def average_segments(self) -> float:
        """Mean segments per message that can go."""
        return sum(self.segments) / len(self.segments) if self.segments else 0.0

    @property
    def encoding(self) -> str | None:
        """The encoding most of the messages take (UCS-2 wins a tie: it is the costly one)."""
        if not self.encodings:
            return None
        return max(self.encodings, key=lambda e: (self.encodings[e], e == "UCS-2"))

    @property
    def forcing_characters(self) -> list[str]:
        """The first characters seen that forced UCS-2 (to tell the user what to replace)."""
        return list(self.forced)[:_SHOWN_CHARACTERS]
