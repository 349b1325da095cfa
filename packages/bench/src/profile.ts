/** How much each family measures: `--quick` (under a minute in all) or the full run. */
export interface Profile {
  quick: boolean;
  reqrep: { sizes: number[]; inflight: number[]; warmupMs: number; measureMs: number };
  pubsub: {
    size: number;
    subscribers: number[];
    /** Messages published per subscriber count. */
    messages: (subscribers: number) => number;
    /** Messages of the warm-up round before the measured one (same processes and connections). */
    warmupMessages: (subscribers: number) => number;
    /** No delivery for this long ends the wait (the run is then reported incomplete). */
    idleMs: number;
  };
  auth: {
    bits: number[];
    minions: number;
    /** Minions for the slow pure-JS suite (forge). */
    forgeMinions: number;
    warmupMs: number;
    measureMs: number;
    /** Cells left out of this profile (suite@bits). */
    skip: string[];
    /** Distinct minion keys (shared round-robin by the minions). */
    keyPool: number;
  };
  salt: {
    authMinions: number;
    authMs: number;
    requestMinions: number;
    requestInflight: number;
    requestMs: number;
    publishMinions: number;
    publishJobs: number;
  };
}

const fullMessages = (subscribers: number): number => (subscribers <= 1 ? 20_000 : subscribers <= 100 ? 2_000 : 400);

export const FULL: Profile = {
  quick: false,
  reqrep: { sizes: [64, 1024, 65536], inflight: [1, 16, 128], warmupMs: 500, measureMs: 2000 },
  pubsub: {
    size: 1024,
    subscribers: [1, 100, 1000],
    messages: (n) => fullMessages(n),
    warmupMessages: (n) => Math.max(5, Math.ceil(fullMessages(n) / 10)),
    idleMs: 10_000,
  },
  auth: { bits: [2048, 4096], minions: 64, forgeMinions: 8, warmupMs: 500, measureMs: 3000, skip: [], keyPool: 8 },
  salt: {
    authMinions: 64,
    authMs: 3000,
    // Like a fleet: many minions, each with one request in flight (what a salt-minion's REQ socket allows).
    requestMinions: 32,
    requestInflight: 32,
    requestMs: 3000,
    publishMinions: 50,
    publishJobs: 20,
  },
};

/**
 * Under a minute on two shared cores (about 45 CPU-seconds in all; `familySeconds` in the results
 * shows where the wall time went). Each cell is short but still thousands of operations.
 */
export const QUICK: Profile = {
  quick: true,
  reqrep: { sizes: [1024], inflight: [1, 128], warmupMs: 100, measureMs: 300 },
  // 100 subscribers (two processes) × 30 messages: 3,000 deliveries per cell, each signature-checked
  // on the channel. The 1,000-subscriber target is the full run's: 1,000 connections per cell cost
  // seconds of CPU before anything is measured.
  pubsub: { size: 1024, subscribers: [100], messages: () => 30, warmupMessages: () => 5, idleMs: 5_000 },
  // RSA-2048 only (the target's key size and Salt's default) and the suites a master runs by default or
  // can choose on node:crypto; the full run adds RSA-4096 and the pure-JS suites (forge, tweetnacl).
  auth: {
    bits: [2048],
    minions: 16,
    forgeMinions: 4,
    warmupMs: 100,
    measureMs: 500,
    skip: ['forge@2048', 'nacl@2048'],
    keyPool: 4,
  },
  salt: {
    authMinions: 16,
    authMs: 500,
    requestMinions: 8,
    requestInflight: 8,
    requestMs: 500,
    publishMinions: 8,
    publishJobs: 3,
  },
};
