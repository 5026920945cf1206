import { connect } from "node:net";
import type { Config } from "./config.ts";

// What a process says when a service it needs does not answer at start (the stack is down, a setting
// points elsewhere): one human line naming the service, its address, the setting it came from and
// the command that fixes it, instead of a driver's stack trace. Only a TCP connect is tried here; the
// drivers connect afterwards, once every service accepts connections.

export type Service = "kafka" | "registry" | "cassandra";

export interface Endpoint {
  service: Service;
  /** As a person calls it. */
  name: string;
  setting: "KAFKA_BOOTSTRAP" | "SCHEMA_REGISTRY_URL" | "CASSANDRA_CONTACT_POINT";
  /** The setting's value, as written. */
  value: string;
  /** Every host:port it names; the service is reachable when one of them accepts a connection. */
  addresses: { host: string; port: number }[];
}

function hostPorts(list: string, defaultPort: number): { host: string; port: number }[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s);
      return { host: m?.[1] ?? s, port: m?.[2] ? Number(m[2]) : defaultPort };
    });
}

export function endpoints(
  config: Pick<Config, "KAFKA_BOOTSTRAP" | "SCHEMA_REGISTRY_URL" | "CASSANDRA_CONTACT_POINT">,
): Record<Service, Endpoint> {
  const registry = new URL(config.SCHEMA_REGISTRY_URL);
  return {
    kafka: {
      service: "kafka",
      name: "Kafka",
      setting: "KAFKA_BOOTSTRAP",
      value: config.KAFKA_BOOTSTRAP,
      addresses: hostPorts(config.KAFKA_BOOTSTRAP, 9092),
    },
    registry: {
      service: "registry",
      name: "The schema registry",
      setting: "SCHEMA_REGISTRY_URL",
      value: config.SCHEMA_REGISTRY_URL,
      addresses: [
        {
          host: registry.hostname.replace(/^\[|\]$/g, ""),
          port: Number(registry.port || (registry.protocol === "https:" ? 443 : 80)),
        },
      ],
    },
    cassandra: {
      service: "cassandra",
      name: "Cassandra",
      setting: "CASSANDRA_CONTACT_POINT",
      value: config.CASSANDRA_CONTACT_POINT,
      addresses: hostPorts(config.CASSANDRA_CONTACT_POINT, 9042),
    },
  };
}

const LOCAL = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

/** The line for a service that does not answer: what, where, from which setting, and the fix. */
export function unreachableLine(e: Endpoint): string {
  const local = e.addresses.every((a) => LOCAL.test(a.host));
  const fix = local
    ? `run \`bun run stack up\` to start the local stack, or set ${e.setting} in .env to where yours runs`
    : `check that it runs there, or set ${e.setting} (environment or .env) to where it does`;
  return `${e.name} is not reachable at ${e.value} (${e.setting}): ${fix}.`;
}

/** Whether host:port accepts a TCP connection within timeoutMs. */
export function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function reachable(e: Endpoint, timeoutMs: number): Promise<boolean> {
  const answers = await Promise.all(e.addresses.map((a) => accepts(a.host, a.port, timeoutMs)));
  return answers.some(Boolean);
}

export class UnreachableError extends Error {
  constructor(readonly endpoints: Endpoint[]) {
    super(endpoints.map(unreachableLine).join("\n"));
  }
}

export interface WaitOptions {
  /** How long to keep trying when a service does not answer at once; 0: fail at once. */
  timeoutMs: number;
  intervalMs?: number;
  probeTimeoutMs?: number;
  /** Where the human lines go (stderr). */
  say?: (line: string) => void;
}

/**
 * Returns at once, silently, when every service accepts connections. Otherwise says which do not
 * (one line each, once) and tries again until they all do (saying so) or timeoutMs passed: then
 * throws UnreachableError, whose message is the lines of those still down (at once for timeoutMs 0).
 */
export async function waitForServices(endpointsNeeded: Endpoint[], opts: WaitOptions): Promise<void> {
  const { timeoutMs, intervalMs = 1_000, probeTimeoutMs = 1_000 } = opts;
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const down = async () => {
    const up = await Promise.all(endpointsNeeded.map((e) => reachable(e, probeTimeoutMs)));
    return endpointsNeeded.filter((_, i) => !up[i]);
  };
  let missing = await down();
  if (missing.length === 0) return;
  if (timeoutMs <= 0) throw new UnreachableError(missing);
  for (const e of missing) say(unreachableLine(e));
  say(`Waiting up to ${Math.round(timeoutMs / 1000)} s…`);
  while (Date.now() - started + intervalMs < timeoutMs) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const still = await down();
    for (const e of missing) if (!still.includes(e)) say(`${e.name} answers at ${e.value} now.`);
    missing = still;
    if (missing.length === 0) return;
  }
  throw new UnreachableError(missing);
}

/** Says, one line each, which of these services do not accept connections now; returns them. */
export async function explainUnreachable(
  services: Endpoint[],
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Endpoint[]> {
  const err = await waitForServices(services, { timeoutMs: 0 }).catch((e: unknown) => e);
  if (!(err instanceof UnreachableError)) return [];
  for (const e of err.endpoints) say(unreachableLine(e));
  return err.endpoints;
}

export interface StartNeeds {
  /** Waited for up to timeoutMs; the command exits 1 if one still does not answer. */
  wait: Endpoint[];
  /** Only announced when down: the command starts anyway (and may retry them itself). */
  announce?: Endpoint[];
  timeoutMs: number;
}

/**
 * For a command's entry: says which services do not answer, waits for those it cannot start
 * without (see waitForServices), and exits 1 with the human lines when one still does not answer
 * after timeoutMs.
 */
export async function startWhenReachable(command: string, needs: StartNeeds): Promise<void> {
  const { wait, announce = [], timeoutMs } = needs;
  await explainUnreachable(announce);
  try {
    await waitForServices(wait, { timeoutMs });
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    const after = timeoutMs > 0 ? ` after ${Math.round(timeoutMs / 1000)} s` : "";
    process.stderr.write(`${command}: not started${after}:\n${err.message}\n`);
    process.exit(1);
  }
}
