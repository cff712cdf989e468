/**
 * The app-wide feed's events handed to whoever asks while it is mounted (the campaign page's rate chart),
 * so no page opens a second EventSource. Pure: the provider in LiveEvents.tsx publishes, hooks subscribe.
 */
import type { LiveEnvelope } from "./patch";

export type LiveListener = (envelope: LiveEnvelope) => void;

export interface LiveBus {
  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  subscribe(listener: LiveListener): () => void;
  publish(envelope: LiveEnvelope): void;
}

export function createLiveBus(): LiveBus {
  const listeners = new Set<LiveListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publish(envelope) {
      for (const listener of [...listeners]) {
        try {
          listener(envelope);
        } catch {
          /* one listener's failure must not keep the event from the others */
        }
      }
    },
  };
}
