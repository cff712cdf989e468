import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, CircleDot, CircleDashed, ChevronDown, UserRound, UserRoundCheck, UserRoundX } from "lucide-react";
import { toast } from "sonner";
import { type InboxConversation, inboxApi } from "@/api/inbox";
import { keys } from "@/api/keys";
import { useMe, useTenantId } from "@/app/session";
import { InitialsAvatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import type { ConversationPages } from "@/live/patch";
import { useMembers } from "./hooks";
import { inboxMessages } from "./i18n";

type Patch = { status?: "open" | "pending" | "resolved"; assignee_user_id?: string | null };

/** Status and assignee changes: shown at once everywhere the conversation is cached, undone if refused. */
export function useUpdateConversation(conversation: InboxConversation) {
  const client = useQueryClient();
  const tenantId = useTenantId();
  const { m } = useI18n();
  const detailKey = keys.conversation(tenantId, conversation.id);
  const patchLists = (patch: Patch) => {
    for (const [key, data] of client.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists(tenantId) })) {
      if (!data) continue;
      client.setQueryData<ConversationPages>(key, {
        ...data,
        pages: data.pages.map((page) => ({ ...page, items: page.items.map((c) => (c.id === conversation.id ? { ...c, ...patch } : c)) })),
      });
    }
  };
  return useMutation({
    mutationFn: (patch: Patch) => inboxApi.update(conversation.id, patch),
    onMutate: (patch) => {
      const before = client.getQueryData<InboxConversation>(detailKey);
      client.setQueryData<InboxConversation>(detailKey, (c) => (c ? { ...c, ...patch } : c));
      patchLists(patch);
      return { before };
    },
    onSuccess: (server) => {
      if (server && typeof server === "object" && "id" in server) {
        client.setQueryData<InboxConversation>(detailKey, (c) => ({ ...c, ...server }));
      }
    },
    onError: (error, _patch, context) => {
      if (context?.before) client.setQueryData(detailKey, context.before);
      toast.error(describeError(error, m));
    },
    onSettled: () => void client.invalidateQueries({ queryKey: keys.conversationLists(tenantId) }),
  });
}

const STATUS_ICON = { open: CircleDot, pending: CircleDashed, resolved: CircleCheck } as const;

/** The conversation's status (open, pending, resolved) and who answers it, in the thread's header. */
export function ConversationControls({ conversation }: { conversation: InboxConversation }) {
  const t = useMessages(inboxMessages);
  const { data: me } = useMe();
  const members = useMembers();
  const update = useUpdateConversation(conversation);
  const status = (conversation.status === "closed" ? "resolved" : conversation.status) as keyof typeof STATUS_ICON;
  const StatusIcon = STATUS_ICON[status] ?? CircleDot;
  const statusName = t.status.names[status] ?? status;
  const assigneeId = conversation.assignee_user_id ?? null;
  const list = members.data ?? [];
  const nameOf = (id: string) => {
    const member = list.find((x) => x.user_id === id);
    if (member) return member.name || member.email;
    return id === me?.user.id ? me.user.name : "…";
  };
  const assigneeName = assigneeId ? nameOf(assigneeId) : t.assign.nobody;

  const setStatus = (next: string) => {
    if (next === status) return;
    update.mutate(
      { status: next as Patch["status"] },
      { onSuccess: () => toast.success(t.status.changed(t.status.names[next] ?? next)) },
    );
  };
  const assign = (userId: string | null) => {
    if (userId === assigneeId) return;
    update.mutate(
      { assignee_user_id: userId },
      { onSuccess: () => toast.success(userId ? t.assign.assigned(nameOf(userId)) : t.assign.unassigned) },
    );
  };

  return (
    <div className="flex shrink-0 items-center gap-1">
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" aria-label={`${t.status.label}: ${statusName}`} data-testid="status-control" data-status={status}>
            <StatusIcon aria-hidden="true" className={status === "resolved" ? "text-success" : status === "pending" ? "text-warning" : "text-primary"} />
            <span className="hidden sm:inline">{statusName}</span>
            <ChevronDown aria-hidden="true" className="size-3.5 opacity-70" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuLabel>{t.status.label}</DropdownMenuLabel>
          <DropdownMenuRadioGroup value={status} onValueChange={setStatus}>
            {(["open", "pending", "resolved"] as const).map((s) => {
              const Icon = STATUS_ICON[s];
              return (
                <DropdownMenuRadioItem key={s} value={s}>
                  <Icon aria-hidden="true" />
                  {t.status.names[s]}
                </DropdownMenuRadioItem>
              );
            })}
          </DropdownMenuRadioGroup>
        </DropdownMenuContent>
      </DropdownMenu>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" aria-label={t.assign.button(assigneeName)} data-testid="assignee-control" data-assignee={assigneeId ?? ""}>
            {assigneeId ? <InitialsAvatar name={assigneeName} seed={assigneeId} className="size-5 text-[0.55rem]" /> : <UserRound aria-hidden="true" />}
            <span className="hidden max-w-28 truncate lg:inline">{assigneeName}</span>
            <ChevronDown aria-hidden="true" className="size-3.5 opacity-70" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          {me && assigneeId !== me.user.id ? (
            <DropdownMenuItem onSelect={() => assign(me.user.id)}>
              <UserRoundCheck aria-hidden="true" />
              {t.assign.toMe}
            </DropdownMenuItem>
          ) : null}
          {assigneeId ? (
            <DropdownMenuItem onSelect={() => assign(null)}>
              <UserRoundX aria-hidden="true" />
              {t.assign.unassign}
            </DropdownMenuItem>
          ) : null}
          <DropdownMenuSeparator />
          <DropdownMenuLabel>{t.assign.members}</DropdownMenuLabel>
          <DropdownMenuRadioGroup value={assigneeId ?? ""} onValueChange={(id) => assign(id || null)}>
            {list
              .filter((x) => x.role !== "viewer")
              .map((member) => (
                <DropdownMenuRadioItem key={member.user_id} value={member.user_id}>
                  {member.user_id === me?.user.id ? t.assign.you(member.name || member.email) : member.name || member.email}
                </DropdownMenuRadioItem>
              ))}
          </DropdownMenuRadioGroup>
        </DropdownMenuContent>
      </DropdownMenu>
    </div>
  );
}
