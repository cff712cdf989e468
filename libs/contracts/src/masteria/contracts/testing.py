"""Realistic sample payloads and contents for the tests of any service (pure data, no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from masteria.contracts.campaigns import CampaignProgressed, CampaignState, CampaignStateChanged, RecipientCounts
from masteria.contracts.channels import Channel
from masteria.contracts.contacts import (
    ContactCreated,
    ContactDeleted,
    ContactImportProgressed,
    ContactOptedIn,
    ContactOptedOut,
    ContactsMerged,
    ContactSource,
    ContactUpdated,
    ImportState,
    OptOutReason,
)
from masteria.contracts.content import (
    ButtonReply,
    ButtonsInteractive,
    ContactsContent,
    InteractiveContent,
    ListInteractive,
    ListReply,
    ListRow,
    ListSection,
    LocationContent,
    MediaContent,
    MediaRef,
    ReactionContent,
    ReplyButton,
    SharedContact,
    TemplateComponent,
    TemplateContent,
    TemplateParameter,
    TextContent,
    UnsupportedContent,
)
from masteria.contracts.conversations import (
    ConversationNoteAdded,
    ConversationOpened,
    ConversationStatus,
    ConversationUpdated,
    Direction,
    MessageDeliveryUpdated,
    MessageStored,
)
from masteria.contracts.envelope import Payload
from masteria.contracts.ids import uuid7
from masteria.contracts.leads import LeadStageChanged
from masteria.contracts.messages import (
    CampaignDispatch,
    DeliveryError,
    ErrorClassification,
    InboundMessage,
    MessageOrigin,
    MessageStatus,
    MessageStatusChanged,
    Sender,
    SendMessage,
)

TENANT = uuid.UUID("0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")
NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
PHONE = "+5511987654321"

INBOUND_CONTENTS = (
    TextContent(body="Oi, quero saber do plano"),
    MediaContent(kind="image", media_id="1234567890", mime_type="image/jpeg", caption="foto", sha256="ab" * 32),
    MediaContent(kind="audio", url="https://sandbox.local/media/a.ogg", mime_type="audio/ogg"),
    MediaContent(kind="document", media_id="doc-1", filename="boleto.pdf"),
    MediaContent(kind="sticker", media_id="st-1"),
    MediaContent(kind="video", media_id="vid-1"),
    InteractiveContent(interactive=ButtonReply(id="yes", title="Sim")),
    InteractiveContent(interactive=ListReply(id="row-2", title="Plano Pro", description="R$ 99")),
    LocationContent(latitude=-23.5505, longitude=-46.6333, name="Sé", address="Praça da Sé"),
    ReactionContent(message_external_id="wamid.HBgM", emoji="👍"),
    ContactsContent(contacts=[SharedContact(name="Ana", phones=["+55 11 91234-5678"], emails=["a@x.io"])]),
    UnsupportedContent(provider_type="order", summary="order with 2 items"),
)

OUTBOUND_CONTENTS = (
    TextContent(body="Olá! Veja https://masteria.example", preview_url=True),
    MediaContent(kind="image", url="https://sandbox.local/media/promo.png", caption="Promo"),
    TemplateContent(
        name="order_update",
        language="pt_BR",
        components=[
            TemplateComponent(
                type="header",
                parameters=[TemplateParameter(type="image", media=MediaRef(link="https://x.io/h.png"))],
            ),
            TemplateComponent(
                type="body",
                parameters=[
                    TemplateParameter(type="text", text="Ana", parameter_name="first_name"),
                    TemplateParameter(type="currency", text="R$ 10,00"),
                ],
            ),
            TemplateComponent(
                type="button",
                sub_type="quick_reply",
                index=0,
                parameters=[TemplateParameter(type="payload", payload="STOP_PROMO")],
            ),
        ],
    ),
    InteractiveContent(
        interactive=ButtonsInteractive(
            body="Podemos confirmar?",
            footer="Master IA",
            buttons=[ReplyButton(id="yes", title="Sim"), ReplyButton(id="no", title="Não")],
        )
    ),
    InteractiveContent(
        interactive=ListInteractive(
            body="Escolha um plano",
            button="Planos",
            sections=[ListSection(title="Mensal", rows=[ListRow(id="pro", title="Pro", description="R$ 99")])],
        )
    ),
    LocationContent(latitude=0, longitude=0),
    ReactionContent(message_external_id="wamid.HBgM", emoji=""),
    ContactsContent(contacts=[SharedContact(name="Suporte", phones=["+551130000000"])]),
)


def inbound(content: object = INBOUND_CONTENTS[0]) -> InboundMessage:
    """An inbound WhatsApp message with the given content."""
    return InboundMessage.model_validate(
        {
            "channel": Channel.WHATSAPP_META,
            "external_id": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA",
            "channel_account_id": uuid7(),
            "business_address": "+551140000000",
            "sender": Sender(address=PHONE, wa_id="5511987654321", display_name="Ana"),
            "content": content,
            "sent_at": NOW,
            "received_at": NOW,
            "reply_to_external_id": "wamid.prev",
        }
    )


def send(content: object = OUTBOUND_CONTENTS[0], channel: Channel = Channel.WHATSAPP_META) -> SendMessage:
    """An AI reply command with the given content."""
    return SendMessage.model_validate(
        {
            "message_id": uuid7(),
            "conversation_id": uuid7(),
            "channel": channel,
            "to": PHONE,
            "content": content,
            "origin": MessageOrigin.AI,
        }
    )


def dispatch(content: object = OUTBOUND_CONTENTS[2]) -> CampaignDispatch:
    """A campaign dispatch command with the given content."""
    return CampaignDispatch.model_validate(
        {
            "dispatch_id": uuid7(),
            "campaign_id": uuid7(),
            "recipient_id": uuid7(),
            "cadence_step_id": uuid7(),
            "channel": Channel.SMS,
            "channel_account_id": uuid7(),
            "to": PHONE,
            "content": content,
            "variables": {"first_name": "Ana"},
            "attempt": 2,
        }
    )


def status_changed() -> MessageStatusChanged:
    """A failed delivery with a classified error."""
    return MessageStatusChanged(
        message_id=uuid7(),
        dispatch_id=uuid7(),
        external_id="SM0123456789abcdef0123456789abcdef",
        channel=Channel.SMS,
        status=MessageStatus.FAILED,
        occurred_at=NOW,
        error=DeliveryError(
            code="30007",
            title="Message filtered",
            classification=ErrorClassification.PERMANENT,
            provider_detail="carrier violation",
        ),
        recipient=PHONE,
    )


def all_payloads() -> list[Payload]:
    """One sample per registered payload class."""
    contact_id, conversation_id, campaign_id = uuid7(), uuid7(), uuid7()
    return [
        inbound(),
        send(),
        dispatch(),
        status_changed(),
        ContactCreated(
            contact_id=contact_id,
            phone=PHONE,
            name="Ana",
            tags=["vip"],
            source=ContactSource.INBOUND,
            created_at=NOW,
        ),
        ContactUpdated(
            contact_id=contact_id,
            phone=PHONE,
            email="ana@example.com",
            custom_fields={"plan": "pro"},
            changed=["email", "custom_fields"],
            updated_at=NOW,
        ),
        ContactOptedOut(
            contact_id=contact_id,
            phone=PHONE,
            channel=Channel.SMS,
            reason=OptOutReason.KEYWORD,
            keyword="STOP",
            occurred_at=NOW,
        ),
        ContactOptedIn(
            contact_id=contact_id,
            phone=PHONE,
            channel=None,
            reason=OptOutReason.REQUEST,
            occurred_at=NOW,
        ),
        ConversationOpened(
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel=Channel.WHATSAPP_QR,
            opened_at=NOW,
        ),
        ConversationUpdated(
            conversation_id=conversation_id,
            contact_id=contact_id,
            status=ConversationStatus.PENDING,
            assignee_user_id=uuid7(),
            unread_count=3,
            last_message_at=NOW,
            updated_at=NOW,
        ),
        MessageStored(
            conversation_id=conversation_id,
            message_id=uuid7(),
            contact_id=contact_id,
            direction=Direction.OUTBOUND,
            channel=Channel.WHATSAPP_QR,
            origin=MessageOrigin.AGENT,
            content_kind="text",
            preview="Olá!",
            occurred_at=NOW,
        ),
        MessageDeliveryUpdated(
            conversation_id=conversation_id,
            message_id=uuid7(),
            contact_id=contact_id,
            channel=Channel.WHATSAPP_META,
            external_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ2",
            status=MessageStatus.FAILED,
            error=DeliveryError(
                code="131026",
                title="Message undeliverable",
                classification=ErrorClassification.PERMANENT,
            ),
            occurred_at=NOW,
        ),
        ConversationNoteAdded(
            conversation_id=conversation_id,
            note_id=uuid7(),
            author_user_id=uuid7(),
            body="Cliente pediu retorno amanhã.",
            created_at=NOW,
        ),
        ContactImportProgressed(
            import_id=uuid7(),
            state=ImportState.RUNNING,
            total_rows=100_000,
            processed_rows=40_000,
            imported_rows=39_990,
            failed_rows=10,
            occurred_at=NOW,
        ),
        ContactsMerged(contact_id=contact_id, merged_contact_ids=[uuid7()], occurred_at=NOW),
        ContactDeleted(contact_id=uuid7(), phone="+5511988887777", occurred_at=NOW),
        LeadStageChanged(
            lead_id=uuid7(),
            contact_id=contact_id,
            pipeline_id=uuid7(),
            stage_id=uuid7(),
            stage_name="Proposta enviada",
            previous_stage_id=uuid7(),
            occurred_at=NOW,
        ),
        CampaignStateChanged(
            campaign_id=campaign_id,
            name="Black Friday",
            channel=Channel.WHATSAPP_META,
            state=CampaignState.PAUSED,
            previous_state=CampaignState.RUNNING,
            counts=RecipientCounts(total=1_000, pending=400, delivered=580, failed=12, skipped=8, replied=31),
            occurred_at=NOW,
        ),
        CampaignProgressed(
            campaign_id=campaign_id,
            state=CampaignState.RUNNING,
            counts=RecipientCounts(total=1_000, pending=900, queued=40, sent=60),
            sent_per_second=79.5,
            occurred_at=NOW,
        ),
    ]
