import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Config } from "../common/src/config.ts";
import { sleep } from "../common/src/timeouts.ts";
import { ensureDir, repoRoot, type StackDirs } from "./paths.ts";

// `stack up --with-prometheus`: Debian's Prometheus (apt-get install prometheus), scraping the pipeline's
// services with the alert rules of ops/prometheus/alerts.yml. Not a JVM, so it is tracked here by its
// own config file (the marker in its command line) rather than by stack/process.ts's system property.

const PROMETHEUS_PORT = 9090;
const BINARY = "/usr/bin/prometheus";

export interface ScrapeTarget {
  job: "processor" | "producer" | "web" | "prometheus";
  targets: string[];
}

/** What Prometheus scrapes: every instance `bun run dev` starts (one processor a core, as dev.ts counts them). */
function scrapeTargets(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  port = PROMETHEUS_PORT,
): ScrapeTarget[] {
  const instances =
    Number(env.PROCESSOR_INSTANCES) || Math.min(availableParallelism(), config.TOPIC_PARTITIONS);
  const host = (h: string) => (h === "0.0.0.0" ? "127.0.0.1" : h);
  return [
    {
      job: "processor",
      targets: Array.from(
        { length: instances },
        (_, i) => `${host(config.PROCESSOR_METRICS_HOST)}:${config.PROCESSOR_METRICS_PORT + i}`,
      ),
    },
    { job: "producer", targets: [`${host(config.PRODUCER_METRICS_HOST)}:${config.PRODUCER_METRICS_PORT}`] },
    { job: "web", targets: [`${host(config.WEB_HOST)}:${config.WEB_PORT}`] },
    { job: "prometheus", targets: [`127.0.0.1:${port}`] },
  ];
}

function prometheusConfig(targets: ScrapeTarget[], rulesFile: string): string {
  const jobs = targets
    .map(
      (t) => `  - job_name: ${t.job}
    static_configs:
      - targets: [${t.targets.map((x) => `"${x}"`).join(", ")}]`,
    )
    .join("\n");
  return `# Written by \`bun run stack up --with-prometheus\` (stack/prometheus.ts); rewritten at every start.
global:
  scrape_interval: 5s
  evaluation_interval: 15s
rule_files:
  - "${rulesFile}"
scrape_configs:
${jobs}
`;
}

const files = (dirs: StackDirs) => ({
  config: join(dirs.home, "prometheus", "rtpipeline-prometheus.yml"),
  data: join(dirs.data, "prometheus"),
  pid: join(dirs.run, "prometheus.pid"),
  log: join(dirs.logs, "prometheus.log"),
});

/** The pid of the Prometheus this stack started (its command line names our config file). */
export function prometheusPid(dirs: StackDirs): number | undefined {
  const f = files(dirs);
  if (!existsSync(f.pid)) return undefined;
  const pid = Number(readFileSync(f.pid, "utf8").trim());
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.includes(`--config.file=${f.config}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function prometheusReady(port = PROMETHEUS_PORT): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/-/ready`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts Prometheus unless one answers already; the other services are left as they are. */
export async function prometheusUp(
  dirs: StackDirs,
  config: Config,
  { timeoutMs = 60_000, port = PROMETHEUS_PORT, targets = scrapeTargets(config, process.env, port) } = {},
): Promise<string> {
  if (await prometheusReady(port)) {
    return `prometheus: already up at http://127.0.0.1:${port}${prometheusPid(dirs) ? "" : " (not started by this repo)"}`;
  }
  if (!existsSync(BINARY)) {
    throw new Error(
      `prometheus: ${BINARY} not found; install it with \`apt-get install prometheus\` (bash scripts/setup.sh does)`,
    );
  }
  const f = files(dirs);
  ensureDir(join(dirs.home, "prometheus"));
  ensureDir(f.data);
  ensureDir(dirs.run);
  ensureDir(dirs.logs);
  writeFileSync(f.config, prometheusConfig(targets, join(repoRoot, "ops", "prometheus", "alerts.yml")));
  const out = openSync(f.log, "a");
  const child = spawn(
    BINARY,
    [
      `--config.file=${f.config}`,
      `--storage.tsdb.path=${f.data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=2d",
    ],
    { detached: true, stdio: ["ignore", out, out] },
  );
  if (child.pid === undefined) throw new Error("prometheus did not start");
  child.unref();
  writeFileSync(f.pid, String(child.pid));
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await prometheusReady(port))
      return `prometheus: up at http://127.0.0.1:${port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    if (prometheusPid(dirs) === undefined) throw new Error(`prometheus exited during start; see ${f.log}`);
    await sleep(250);
  }
  throw new Error(`prometheus did not answer within ${timeoutMs / 1000} s; see ${f.log}`);
}

export async function prometheusDown(dirs: StackDirs): Promise<boolean> {
  const pid = prometheusPid(dirs);
  const f = files(dirs);
  if (pid === undefined) {
    rmSync(f.pid, { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 120 && prometheusPid(dirs) !== undefined; i++) await sleep(250);
  if (prometheusPid(dirs) !== undefined) process.kill(pid, "SIGKILL");
  rmSync(f.pid, { force: true });
  return true;
}
