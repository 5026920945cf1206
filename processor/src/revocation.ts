/**
 * How a graceful stop spends PROCESSOR_SHUTDOWN_TIMEOUT_MS. The revocation's wait for its checkpoint gets
 * half, the producers' final flush a fifth: what is left covers the last loop turn and leaving the group,
 * so that with Cassandra down the stop still leaves the group (the next owner takes over at once, from the
 * previous checkpoint) instead of running into the outer bound with the consumer still a member.
 */
export function shutdownBudget(shutdownTimeoutMs: number): { revokeWaitMs: number; flushMs: number } {
  return {
    revokeWaitMs: Math.floor(shutdownTimeoutMs / 2),
    flushMs: Math.floor(shutdownTimeoutMs / 5),
  };
}

/**
 * Starts the checkpoint of partitions being revoked and releases them from the core, in one synchronous
 * step. The release happens whatever the capture did: a partition left in the core would make its next
 * assignment fail ("already assigned"). A capture that throws comes back as the rejected checkpoint.
 */
export function handOver(checkpoint: () => Promise<void>, release: () => void): Promise<void> {
  try {
    return checkpoint();
  } catch (err) {
    return Promise.reject(err);
  } finally {
    release();
  }
}
