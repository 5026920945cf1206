/** One process of the local stack, as `stack/cli.ts` drives it. */
export interface Service {
  name: "kafka" | "registry" | "cassandra";
  /** What a client connects to (host:port or URL), for `status`. */
  endpoint: string;
  /** Resolves artifacts, writes config, formats storage: everything before the first start. */
  prepare(): void;
  start(): void;
  /** Resolves true once the service really answers a client request. */
  ready(): Promise<boolean>;
  /** Removes the project's data from a running service (topics, keyspace, subjects). */
  reset(): Promise<string[]>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
