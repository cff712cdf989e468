/** Attachments (crm, /api/v1/media): upload a file once, then send or show it by its storage key. */
import { unwrap } from "./client";
import * as sdk from "./generated/sdk.gen";
import type { MediaOut } from "./generated/types.gen";

export type StoredMedia = MediaOut;

export const mediaApi = {
  upload: (file: File, signal?: AbortSignal) => unwrap(sdk.uploadMediaApiV1MediaPost({ body: { file }, signal })),
};
