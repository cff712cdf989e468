/**
 * The app's view of the API: the generated SDK (src/api/generated, from openapi.json) under short names.
 * Nothing here builds a URL or a request by hand.
 */
import * as sdk from "./generated/sdk.gen";
import type {
  ConversationOut,
  MeOut,
  MessageOut,
  PageConversationOut,
  PageMessageOut,
  PhoneNumberCreate,
  PhoneNumberOut,
} from "./generated/types.gen";
import { ApiError } from "./problems";
import { unwrap } from "./client";

export type Me = MeOut;
export type Conversation = ConversationOut;
export type Message = MessageOut;
export type ConversationPage = PageConversationOut;
export type MessagePage = PageMessageOut;
export type PhoneNumber = PhoneNumberOut;
export type NewPhoneNumber = PhoneNumberCreate;

export const PAGE_SIZE = { conversations: 50, messages: 30 } as const;

export const api = {
  /** The session's user, or null when signed out (401). */
  async me(signal?: AbortSignal): Promise<Me | null> {
    try {
      return await unwrap(sdk.meAuthMeGet({ signal }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  login: (body: { email: string; password: string }) => unwrap(sdk.loginAuthLoginPost({ body })),
  signup: (body: { email: string; password: string; name: string; tenant_name: string }) =>
    unwrap(sdk.signupAuthSignupPost({ body })),
  logout: () => unwrap(sdk.logoutAuthLogoutPost()),
  createTenant: (name: string) => unwrap(sdk.createTenantApiV1TenantsPost({ body: { name } })),
  /** The current tenant's settings (owners and admins); answers the tenant as it now is. */
  changeTenantSettings: (body: { timezone: string }) => unwrap(sdk.changeTenantSettingsApiV1TenantsCurrentPatch({ body })),
  switchTenant: (tenantId: string) => unwrap(sdk.switchTenantAuthSwitchTenantPost({ body: { tenant_id: tenantId } })),

  conversations: (params: { q?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(
      sdk.listConversationsApiV1ConversationsGet({
        query: {
          limit: params.limit ?? PAGE_SIZE.conversations,
          ...(params.cursor ? { cursor: params.cursor } : {}),
          ...(params.q ? { q: params.q } : {}),
        },
        signal,
      }),
    ),
  conversation: (id: string, signal?: AbortSignal) =>
    unwrap(sdk.getConversationApiV1ConversationsConversationIdGet({ path: { conversation_id: id }, signal })),
  messages: (id: string, params: { cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    unwrap(
      sdk.listMessagesApiV1ConversationsConversationIdMessagesGet({
        path: { conversation_id: id },
        query: { limit: params.limit ?? PAGE_SIZE.messages, ...(params.cursor ? { cursor: params.cursor } : {}) },
        signal,
      }),
    ),

  phoneNumbers: (signal?: AbortSignal) => unwrap(sdk.listNumbersApiV1WhatsappPhoneNumbersGet({ signal })),
  registerPhoneNumber: (body: NewPhoneNumber) => unwrap(sdk.registerNumberApiV1WhatsappPhoneNumbersPost({ body })),
};
