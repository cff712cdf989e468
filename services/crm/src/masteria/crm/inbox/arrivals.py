"""The inbound path's first statement: the senders (their contacts, with the service windows) and their threads.

Senders are upserted: a new number becomes a contact, and every contact's last inbound time per channel
moves forward, never back (the WhatsApp service window). Rows are taken in phone order so that two
batches lock the same contacts in the same order. Threads are opened where missing and read where
present, in the same statement; a thread another transaction opened after the statement's snapshot is
read again afterwards. One round trip, whatever the batch size.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from masteria.contracts.ids import uuid7
from masteria.crm.inbox.bulk import ThreadKey, threads_opened_meanwhile

SenderThread = tuple[str, str, uuid.UUID]  # phone, channel, channel account

_ARRIVE = text("""
WITH senders AS (
    INSERT INTO crm.contacts AS c (id, tenant_id, phone, name, last_inbound_at)
    SELECT i.id, CAST(:tenant AS uuid), i.phone, i.name,
        coalesce((SELECT jsonb_object_agg(w.key, to_jsonb(CAST(w.value #>> '{}' AS timestamptz)))
                  FROM jsonb_each(CAST(i.windows AS jsonb)) AS w), CAST('{}' AS jsonb))
    FROM unnest(CAST(:c_ids AS uuid[]), CAST(:c_phones AS text[]), CAST(:c_names AS text[]),
                CAST(:c_windows AS text[])) AS i(id, phone, name, windows)
    ORDER BY i.phone
    ON CONFLICT (tenant_id, phone) DO UPDATE SET last_inbound_at = c.last_inbound_at || coalesce(
        (SELECT jsonb_object_agg(w.key, w.value) FROM jsonb_each(EXCLUDED.last_inbound_at) AS w
         WHERE c.last_inbound_at ->> w.key IS NULL
            OR CAST(c.last_inbound_at ->> w.key AS timestamptz) < CAST(w.value #>> '{}' AS timestamptz)),
        CAST('{}' AS jsonb))
    RETURNING c.id, c.phone
), wanted AS (
    SELECT w.id, s.id AS contact_id, w.channel, w.channel_account_id, w.at
    FROM unnest(CAST(:t_ids AS uuid[]), CAST(:t_phones AS text[]), CAST(:t_channels AS text[]),
                CAST(:t_accounts AS uuid[]), CAST(:t_ats AS timestamptz[]))
        AS w(id, phone, channel, channel_account_id, at)
    JOIN senders s ON s.phone = w.phone
), opened AS (
    INSERT INTO crm.conversations
        (id, tenant_id, contact_id, channel, channel_account_id, last_message_at, created_at, updated_at)
    SELECT id, CAST(:tenant AS uuid), contact_id, channel, channel_account_id, at, at, at FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING id, contact_id, channel, channel_account_id
)
SELECT phone, id AS contact_id, NULL AS id, NULL AS channel, NULL AS channel_account_id FROM senders
UNION ALL
SELECT NULL, contact_id, id, channel, channel_account_id FROM opened
UNION ALL
SELECT NULL, c.contact_id, c.id, c.channel, c.channel_account_id
FROM crm.conversations c
JOIN wanted w ON c.tenant_id = CAST(:tenant AS uuid) AND c.contact_id = w.contact_id AND c.channel = w.channel
    AND c.channel_account_id = w.channel_account_id
""")


@dataclass(frozen=True)
class Arrived:
    """The senders' contacts and threads, and which of them this batch created."""

    contact_ids: dict[str, uuid.UUID]
    new_contacts: set[str]
    thread_ids: dict[ThreadKey, uuid.UUID]
    new_threads: set[ThreadKey]


async def arrive(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    names: dict[str, str | None],
    windows: dict[str, dict[str, datetime]],
    first_at: dict[SenderThread, datetime],
) -> Arrived:
    """Contacts for the senders (``names`` by phone) and their threads (``first_at``: when each would open).

    ``windows`` is ``{phone: {channel: latest message time}}``, where each service window moves to.
    """
    phones, keys = sorted(names), sorted(first_at)
    contact_proposed = {p: uuid7() for p in phones}
    thread_proposed = {k: uuid7() for k in keys}
    params = {
        "tenant": tenant_id,
        "c_ids": [contact_proposed[p] for p in phones],
        "c_phones": phones,
        "c_names": [names[p] for p in phones],
        "c_windows": [json.dumps({ch: at.isoformat() for ch, at in windows.get(p, {}).items()}) for p in phones],
        "t_ids": [thread_proposed[k] for k in keys],
        "t_phones": [k[0] for k in keys],
        "t_channels": [k[1] for k in keys],
        "t_accounts": [k[2] for k in keys],
        "t_ats": [first_at[k] for k in keys],
    }
    contact_ids: dict[str, uuid.UUID] = {}
    thread_ids: dict[ThreadKey, uuid.UUID] = {}
    for row in await session.execute(_ARRIVE, params):
        if row.phone is not None:
            contact_ids[row.phone] = row.contact_id
        else:
            thread_ids[(row.contact_id, row.channel, row.channel_account_id)] = row.id
    by_contact = {(contact_ids[k[0]], k[1], k[2]): thread_proposed[k] for k in keys}
    thread_ids |= await threads_opened_meanwhile(session, [k for k in by_contact if k not in thread_ids])
    return Arrived(
        contact_ids=contact_ids,
        new_contacts={p for p, i in contact_ids.items() if i == contact_proposed[p]},
        thread_ids=thread_ids,
        new_threads={k for k, i in thread_ids.items() if i == by_contact.get(k)},
    )
