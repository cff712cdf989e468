import { useEffect, useState } from "react";
import { useLiveEvents, useLiveStatus } from "@/live/LiveEvents";
import { pushSample, type RateSample, rateSampleOf } from "./live";

/**
 * The campaign pages' view of the app-wide live feed (src/live), which already applies campaign events to the
 * cached campaigns, stats and lists: `connected` says whether it is up (the pages poll when it is not), and
 * `samples` are the live sends per second of `campaignId`, for the rate chart.
 */
export function useCampaignLive(campaignId?: string): { connected: boolean; samples: RateSample[] } {
  const connected = useLiveStatus() === "connected";
  const [samples, setSamples] = useState<RateSample[]>([]);

  useEffect(() => setSamples([]), [campaignId]);

  useLiveEvents((envelope) => {
    const sample = campaignId ? rateSampleOf(envelope, campaignId) : null;
    if (sample) setSamples((s) => pushSample(s, sample));
  });

  return { connected, samples };
}
