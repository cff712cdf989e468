/**
 * Where a thread scrolls (pure, so it is tested without a browser). The thread stays pinned to its newest
 * message while the reader is at the bottom, whatever changes its height (new messages, late images, the
 * composer and header loading around it); earlier messages loading above keep the view where it was.
 */

/** Within this distance of the bottom, the reader counts as at the bottom. */
export const NEAR_BOTTOM_PX = 120;

export interface ScrollBox {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

export interface ThreadScrollState {
  oldest: string;
  newest: string;
  /** The scroll height when the messages were last laid out (or the older page was asked for). */
  height: number;
  nearBottom: boolean;
}

export const initialScrollState = (): ThreadScrollState => ({ oldest: "", newest: "", height: 0, nearBottom: true });

export function isNearBottom(box: ScrollBox): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
}

/**
 * After the messages changed: the scrollTop to set (null: leave it) and the state to keep. `first` is the
 * first layout with messages; `mine` says the newest is the agent's own message being sent.
 */
export function scrollForMessages(
  box: ScrollBox,
  before: ThreadScrollState,
  now: { oldest: string; newest: string; mine: boolean },
  first: boolean,
): { scrollTop: number | null; state: ThreadScrollState } {
  let scrollTop: number | null = null;
  if (first) scrollTop = box.scrollHeight;
  else if (now.oldest !== before.oldest && now.newest === before.newest) {
    scrollTop = box.scrollTop + box.scrollHeight - before.height; // earlier messages were added above: stay in place
  } else if (now.newest !== before.newest && (before.nearBottom || now.mine)) scrollTop = box.scrollHeight;
  return {
    scrollTop,
    state: { oldest: now.oldest, newest: now.newest, height: box.scrollHeight, nearBottom: first || before.nearBottom || now.mine },
  };
}

/** After the thread or its content changed size: back to the bottom (the scrollTop to set) if the reader was there. */
export function scrollForResize(box: ScrollBox, state: ThreadScrollState): number | null {
  return state.nearBottom ? box.scrollHeight : null;
}
