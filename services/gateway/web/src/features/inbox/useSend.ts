import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Message } from "@/api";
import { type InboxConversation, inboxApi, type OutboundContent } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useMe, useTenantId } from "@/app/session";
import { addOptimistic, confirmOptimistic, dropMessage, type MessagePages, type ThreadMessage } from "@/live/patch";
import { previewOf } from "./preview";

let counter = 0;
function localId(): string {
  counter += 1;
  const random = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : Math.random().toString(36).slice(2);
  return `local-${counter}-${random}`;
}

export interface SendVariables {
  content: OutboundContent;
  channelAccountId?: string | null;
}

/**
 * Sending from the inbox: the message shows at once (status "queued"), the server's copy replaces it when the
 * send is accepted (202), and live `message.delivery_updated` events tick it forward. A refused send (422:
 * window_closed, opted_out, invalid_content) takes the copy away again; the composer shows the reason.
 */
export function useSendMessage(conversation: InboxConversation) {
  const client = useQueryClient();
  const tenantId = useTenantId();
  const { data: me } = useMe();
  const threadKey = keys.messages(tenantId, conversation.id);
  return useMutation({
    mutationFn: async ({ content, channelAccountId }: SendVariables) => {
      return inboxApi.send(conversation.id, content, channelAccountId);
    },
    onMutate: ({ content }) => {
      const id = localId();
      const now = new Date().toISOString();
      const optimistic: ThreadMessage = {
        id,
        conversation_id: conversation.id,
        direction: "outbound",
        channel: conversation.channel,
        external_id: null,
        content: content as unknown as Message["content"],
        preview: previewOf(content),
        sender_name: null,
        occurred_at: now,
        created_at: now,
        status: "queued",
        author_user_id: me?.user.id ?? null,
        _local: "optimistic",
      };
      client.setQueryData<MessagePages>(threadKey, (data) => addOptimistic(data, optimistic));
      return { id };
    },
    onSuccess: (stored, _vars, context) => {
      if (stored?.id) client.setQueryData<MessagePages>(threadKey, (data) => confirmOptimistic(data, context.id, stored));
      else void client.invalidateQueries({ queryKey: threadKey });
    },
    onError: (_error, _vars, context) => {
      if (context) client.setQueryData<MessagePages>(threadKey, (data) => dropMessage(data, context.id));
    },
  });
}
