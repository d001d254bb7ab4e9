// The in-memory revocation set forgets a session once no access token issued before its
// revocation can still be valid (access-token lifetime + one minute of clock skew), so it
// holds at most the revocations of one token lifetime. Pure memory: no database here (the
// cross-process behaviour is test/accounts/session-revocation.test.ts).
import { describe, expect, it } from "vitest";
import { RevokedSessions } from "../../src/accounts/revoked-sessions.ts";

const TTL = 15 * 60_000;
const SKEW = 60_000;
const noSource = {
  revokedSince: () => {
    throw new Error("not read in this test");
  },
};

describe("RevokedSessions", () => {
  it("refuses a session until its last access token has expired, then forgets it", () => {
    let now = 1_000_000;
    const set = new RevokedSessions(noSource, TTL, () => now);
    set.add("a");
    set.add("b", now - TTL); // revoked a lifetime ago: only the skew margin is left
    expect(set.has("a")).toBe(true);
    expect(set.has("b")).toBe(true);
    expect(set.has("c")).toBe(false);
    now += SKEW;
    expect(set.has("b")).toBe(false);
    expect(set.has("a")).toBe(true);
    now += TTL;
    expect(set.has("a")).toBe(false);
    expect(set.size).toBe(0);
    set.add("old", now - TTL - SKEW - 1); // nothing of it can still be valid: not even stored
    expect(set.size).toBe(0);
  });

  it("prunes expired entries as it grows, so it stays the size of one token lifetime", () => {
    let now = 0;
    const set = new RevokedSessions(noSource, TTL, () => now);
    for (let i = 0; i < 5000; i++) {
      set.add(`s${i}`);
      now += 1000; // one revocation a second: about 960 are live at any time
    }
    expect(set.size).toBeLessThan(2 * 1024);
    expect(set.has("s4999")).toBe(true);
    expect(set.has("s0")).toBe(false);
  });
});
