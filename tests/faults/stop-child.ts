import { withTimeout } from "../../common/src/timeouts.ts";
import type { ChildProcessor } from "../../processor/src/testing/harness.ts";

/** Stops a child processor for afterAll, whatever state the test left it in: SIGTERM, then SIGKILL after 30 s. */
export async function stopChild(processor: ChildProcessor | null): Promise<void> {
  if (!processor || processor.child.exitCode !== null || processor.child.signalCode !== null) return;
  processor.child.kill("SIGTERM");
  try {
    await withTimeout(processor.exited, 30_000, "processor did not stop on SIGTERM");
  } catch {
    processor.child.kill("SIGKILL");
    await processor.exited;
  }
}
