/**
 * V8 flags the processor process runs with, wherever it is started (package.json's "processor"
 * script carries the same, checked by node-flags.test.ts). Left to itself V8 lets the heap grow to
 * ~400 MB resident over a long replay although the live data stays small; a 2 MB young generation
 * and a capped old one hold it under 256 MB with no loss of throughput (bench: processor section).
 */
export const PROCESSOR_NODE_FLAGS: readonly string[] = [
  "--max-old-space-size=192",
  "--max-semi-space-size=2",
];
