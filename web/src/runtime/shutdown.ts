import closeWithGrace from "close-with-grace";
import type { Logger } from "../../../common/src/logger.ts";

/**
 * SIGINT/SIGTERM (and an uncaught error) close the web tier once, through close-with-grace: exit 0
 * when `close` settles, 1 when it fails, takes over graceMs (10 s: a hung Cassandra or client connection must
 * not keep the process alive) or a second signal comes. The same for the Node and the Bun entry.
 */
export function stopOnSignals(
  log: Pick<Logger, "info" | "error">,
  close: () => Promise<unknown>,
  graceMs = 10_000,
): void {
  closeWithGrace(
    {
      delay: graceMs,
      logger: { error: (msg: unknown) => log.error({ reason: String(msg) }, "unclean stop") },
    },
    async ({ signal, err }) => {
      if (err) log.error({ err: err.message }, "stopping after an uncaught error");
      else log.info({ signal }, "stopping");
      await close();
    },
  );
}
