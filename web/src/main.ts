import { createLogger } from "../../common/src/logger.ts";
import { startWebServer } from "./server.ts";
import { stopOnSignals } from "./shutdown.ts";
import { loadWebConfig } from "./web-config.ts";

// `bun run web` → node --import tsx web/src/main.ts (Node: the Kafka client is librdkafka).
const cfg = loadWebConfig();
const log = createLogger("web", cfg.LOG_LEVEL);
const web = await startWebServer(cfg, log);
console.log(`dashboard: ${web.url}/`);

stopOnSignals(log, () => web.close());
