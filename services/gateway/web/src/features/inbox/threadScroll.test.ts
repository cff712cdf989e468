import { describe, expect, it } from "vitest";
import { initialScrollState, isNearBottom, scrollForMessages, scrollForResize, type ThreadScrollState } from "./threadScroll";

const box = (scrollTop: number, scrollHeight: number, clientHeight = 500) => ({ scrollTop, scrollHeight, clientHeight });

describe("thread scrolling", () => {
  it("opens at the newest message", () => {
    const { scrollTop, state } = scrollForMessages(box(0, 3000), initialScrollState(), { oldest: "m1", newest: "m30", mine: false }, true);
    expect(scrollTop).toBe(3000);
    expect(state).toEqual({ oldest: "m1", newest: "m30", height: 3000, nearBottom: true });
  });

  it("stays at the bottom when the composer or header loading shrinks the thread, or an image grows it", () => {
    const pinned: ThreadScrollState = { oldest: "m1", newest: "m30", height: 3000, nearBottom: true };
    // The composer grew by 80 px: same content, the thread is 80 px shorter, the reader 80 px off the bottom.
    const shrunk = box(2500, 3000, 420);
    expect(isNearBottom(shrunk)).toBe(true);
    expect(scrollForResize(shrunk, pinned)).toBe(3000);
    expect(scrollForResize(box(2500, 3400), pinned)).toBe(3400);
  });

  it("leaves a reader who scrolled up where they are when sizes change", () => {
    const reading: ThreadScrollState = { oldest: "m1", newest: "m30", height: 3000, nearBottom: false };
    expect(scrollForResize(box(800, 3000, 420), reading)).toBeNull();
    expect(isNearBottom(box(800, 3000))).toBe(false);
  });

  it("loads earlier messages above in place, and follows new ones only from the bottom", () => {
    const top: ThreadScrollState = { oldest: "m31", newest: "m60", height: 3000, nearBottom: false };
    const older = scrollForMessages(box(0, 6000), top, { oldest: "m1", newest: "m60", mine: false }, false);
    expect(older.scrollTop).toBe(3000);
    expect(older.state).toMatchObject({ height: 6000, nearBottom: false });

    expect(scrollForMessages(box(0, 6100), older.state, { oldest: "m1", newest: "m61", mine: false }, false).scrollTop).toBeNull();
    // The agent's own message always scrolls into view.
    expect(scrollForMessages(box(0, 6100), older.state, { oldest: "m1", newest: "local", mine: true }, false).scrollTop).toBe(6100);
    const atBottom = { ...older.state, nearBottom: true };
    expect(scrollForMessages(box(5500, 6100), atBottom, { oldest: "m1", newest: "m61", mine: false }, false).scrollTop).toBe(6100);
  });
});
