import { createLogger } from "../../common/src/logger.ts";
import { startWebServer } from "./server.ts";
import { loadWebConfig } from "./web-config.ts";

// `bun run web` → node --import tsx web/src/main.ts (Node: the Kafka client is librdkafka).
const cfg = loadWebConfig();
const log = createLogger("web", cfg.LOG_LEVEL);
const web = await startWebServer(cfg, log);
console.log(`dashboard: ${web.url}/`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping");
  setTimeout(() => process.exit(1), 10_000).unref();
  web.close().then(
    () => process.exit(0),
    (err: Error) => {
      log.error({ err: err.message }, "unclean stop");
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
