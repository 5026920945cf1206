import type { Logger } from "../../common/src/logger.ts";

/**
 * SIGINT/SIGTERM close the web tier once: exit 0 when `close` settles, 1 when it fails or takes
 * over 10 s (a hung Cassandra or client connection must not keep the process alive). The same for
 * the Node and the Bun entry.
 */
export function stopOnSignals(log: Pick<Logger, "info" | "error">, close: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    setTimeout(() => process.exit(1), 10_000).unref();
    close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
