import type { Service } from "./service.ts";

// What `stack up` does with each service, decided from what is already listening. Kept pure so that
// every case (an outside service on our port, a configured address elsewhere) is unit-tested.

export type UpStep =
  | { action: "already-up"; ours: boolean }
  | { action: "start" }
  | { action: "wait" }
  | { action: "refuse"; reason: string };

export interface UpProbe {
  /** The service answers a client request at its configured endpoint. */
  ready: boolean;
  /** A process this repo started for it is running (found by its marker). */
  ours: boolean;
  /** Those of its loopback ports something already accepts connections on. */
  heldPorts: readonly number[];
}

export type PlannedService = Pick<
  Service,
  "kind" | "name" | "setting" | "endpoint" | "localEndpoint" | "ports"
> &
  Partial<Pick<Service, "host">>;

const WHAT: Record<Service["kind"], string> = {
  kafka: "a Kafka broker",
  registry: "a schema registry",
  cassandra: "Cassandra",
};

// Confluent's own server (docker compose) serves its API at the root, not under Apicurio's prefix.
const HINT: Partial<Record<Service["kind"], string>> = {
  registry: " (Confluent's Schema Registry, as docker compose runs it, answers at http://127.0.0.1:8081)",
};

export function planUp(s: PlannedService, probe: UpProbe): UpStep {
  if (probe.ready) return { action: "already-up", ours: probe.ours };
  const what = WHAT[s.kind];
  if (!servesLocally(s)) {
    return {
      action: "refuse",
      reason:
        `${s.name}: nothing answers at ${s.endpoint} (${s.setting}), and \`stack up\` only starts ${what} ` +
        `at ${s.localEndpoint}: start it at ${s.endpoint} yourself, or unset ${s.setting}`,
    };
  }
  if (probe.ours) return { action: "wait" };
  if (probe.heldPorts.length > 0) {
    const held = probe.heldPorts.map((p) => `${s.host ?? "127.0.0.1"}:${p}`).join(", ");
    return {
      action: "refuse",
      reason:
        `${s.name}: ${held} is held by a process this repo did not start, and it does not answer as ${what} ` +
        `at ${s.endpoint} (${s.setting}); not starting a second one over it. Stop that process, or set ` +
        `${s.setting} to where it really serves${HINT[s.kind] ?? ""}`,
    };
  }
  return { action: "start" };
}

/** Whether the configured endpoint is the process `up` would start (one of a bootstrap list is enough). */
export function servesLocally(s: Pick<Service, "endpoint" | "localEndpoint">): boolean {
  const local = address(s.localEndpoint, 0);
  if (!local) return false;
  return s.endpoint
    .split(",")
    .map((e) => address(e.trim(), local.port))
    .some(
      (a) =>
        a !== null &&
        isLoopback(a.host) &&
        a.port === local.port &&
        a.path === local.path &&
        a.protocol === local.protocol,
    );
}

interface Address {
  protocol: string;
  host: string;
  port: number;
  path: string;
}

function address(text: string, defaultPort: number): Address | null {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `tcp://${text}`);
  } catch {
    return null;
  }
  const schemePort = url.protocol === "http:" ? 80 : url.protocol === "https:" ? 443 : defaultPort;
  return {
    protocol: url.protocol,
    host: url.hostname.toLowerCase(),
    port: url.port ? Number(url.port) : schemePort,
    path: url.pathname.replace(/\/+$/, ""),
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
