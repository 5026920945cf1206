/**
 * V8 flags the processor process runs with, wherever it is started (package.json's "processor"
 * script carries the same, checked by node-flags.test.ts). Left to itself V8 lets the heap grow to
 * ~400 MB resident over a long replay although the live data stays small; a capped old generation
 * holds it under 256 MB. The 8 MB young generation (semi-space) holds what a consumed batch of
 * PROCESSOR_BATCH_SIZE messages leaves behind until it is dead, so the scavenger, not the full
 * collector, frees it (bench: processor section; 2 MB cost half the events per CPU-second).
 */
export const PROCESSOR_NODE_FLAGS: readonly string[] = [
  "--max-old-space-size=192",
  "--max-semi-space-size=8",
];
