/**
 * Channel settings: WhatsApp numbers' limits and templates (whatsapp-meta, /api/v1/whatsapp) and Twilio SMS
 * senders (sms, /api/v1/sms). Generated SDK underneath.
 */
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type { PhoneNumberOut, SenderCreate, SenderOut, SenderUpdate, SyncResult, TemplateOut } from "./generated/types.gen";
import type { MetaComponent } from "@/features/inbox/templates";

/** A WhatsApp number with Meta's current tier and quality, and our sending pace. */
export type WhatsAppNumber = PhoneNumberOut;
/** A template with Meta's components (HEADER / BODY / FOOTER / BUTTONS). */
export type WhatsAppTemplate = Omit<TemplateOut, "components"> & { components: MetaComponent[] };
export type TemplateSyncResult = SyncResult;
export type SmsSender = SenderOut;
export type SmsSenderKind = SenderOut["kind"];
export type SmsSenderInput = SenderCreate;

const number = (id: string) => ({ number_id: id });

export const channelsApi = {
  updateNumber: (id: string, body: { messages_per_second: number }) =>
    unwrap(sdk.updateNumberApiV1WhatsappPhoneNumbersNumberIdPatch({ path: number(id), body })),
  refreshNumber: (id: string) => unwrap(sdk.refreshNumberApiV1WhatsappPhoneNumbersNumberIdRefreshPost({ path: number(id) })),
  templates: async (params: { number_id?: string; status?: string; q?: string }, signal?: AbortSignal) => {
    const page = await unwrap(
      sdk.listTemplatesApiV1WhatsappTemplatesGet({
        query: {
          limit: 200,
          ...(params.number_id ? { number_id: params.number_id } : {}),
          ...(params.status ? { status: params.status } : {}),
          ...(params.q ? { q: params.q } : {}),
        },
        signal,
      }),
    );
    return { ...page, items: page.items as unknown as WhatsAppTemplate[] };
  },
  syncTemplates: (numberId?: string) =>
    unwrap(sdk.syncTemplatesApiV1WhatsappTemplatesSyncPost({ body: numberId ? { number_id: numberId } : {} })),
  previewTemplate: (id: string, variables: Record<string, string>) =>
    unwrap(sdk.previewTemplateApiV1WhatsappTemplatesTemplateIdPreviewPost({ path: { template_id: id }, body: { variables } })),
  smsSenders: (signal?: AbortSignal) => unwrap(sdk.listSendersApiV1SmsSendersGet({ signal })),
  registerSmsSender: (body: SmsSenderInput) => unwrap(sdk.registerSenderApiV1SmsSendersPost({ body })),
  updateSmsSender: (id: string, body: SenderUpdate) =>
    unwrap(sdk.updateSenderApiV1SmsSendersSenderIdPatch({ path: { sender_id: id }, body })),
  removeSmsSender: (id: string) => unwrap(sdk.removeSenderApiV1SmsSendersSenderIdDelete({ path: { sender_id: id } })),
};
