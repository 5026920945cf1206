import { loadConfig } from "../../common/src/config.ts";
import { createLogger } from "../../common/src/logger.ts";
import { startProcessor } from "./processor.ts";

// `bun run processor`: one instance of the consumer-group processor; start more for scale-out.
const config = loadConfig();
const log = createLogger("processor", config.LOG_LEVEL);

try {
  const processor = await startProcessor(config, { log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: draining, checkpointing, committing");
    processor.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "stop did not complete cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  processor.failed.then((err) => {
    log.fatal({ err: err.message }, "processor failed");
    process.exit(2);
  });
} catch (err) {
  log.fatal({ err: (err as Error).message }, "processor could not start");
  process.exit(1);
}
