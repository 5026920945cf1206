import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll } from "vitest";
import type { Config } from "../../../common/src/config.ts";
import { type ProcessorHandle, type StartOptions, startProcessor } from "../start-processor.ts";
import {
  type ChildProcessor,
  cassandraClient,
  dropAll,
  openTestBed,
  prepareExactRun,
  uniqueConfig,
} from "./harness.ts";

// The hooks every integration test of the processor repeated: its own topics and keyspace before its tests;
// after them its processors stopped (in process) or killed (child processes), then its keyspace and topics
// dropped and the Cassandra session closed. Fields are filled in by the beforeAll the helper registers, so
// they are read inside hooks and tests only.

interface Owned {
  config: Config;
  client: Client;
  /** Starts a processor (its own config by default) that is stopped after the tests. */
  start(options?: StartOptions, config?: Config): Promise<ProcessorHandle>;
  /** Child processes killed (SIGKILL) after the tests if still running. */
  children: ChildProcessor[];
}

export type TestBed = Owned & Awaited<ReturnType<typeof openTestBed>>;
export type ExactRun = Owned & Awaited<ReturnType<typeof prepareExactRun>>;

function own<T extends { config: Config; client: Client }>(
  open: () => Promise<T>,
  cleanup: () => void = () => undefined,
): T & Owned {
  const running: ProcessorHandle[] = [];
  const bed = {
    children: [] as ChildProcessor[],
    async start(options: StartOptions = {}, config: Config = bed.config) {
      const handle = await startProcessor(config, options);
      running.push(handle);
      return handle;
    },
  } as T & Owned;
  beforeAll(async () => {
    Object.assign(bed, await open());
  });
  afterAll(async () => {
    for (const p of running) await p.stop().catch(() => undefined);
    for (const c of bed.children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    if (bed.client) {
      await dropAll(bed.config, bed.client);
      await bed.client.shutdown();
    }
    cleanup();
  });
  return bed;
}

/** A test writing its own messages: a config of its own (uniqueConfig), Cassandra, topics, schema v1. */
export function useTestBed(tag: string, env: Record<string, string> = {}): TestBed {
  return own(async () => {
    const config = uniqueConfig(tag, env);
    return { config, ...(await openTestBed(config)) };
  });
}

/** A test whose replay or processor creates everything: a config of its own and a Cassandra session only. */
export function useFreshBed(tag: string, env: Record<string, string> = {}): Owned {
  return own(async () => {
    const config = uniqueConfig(tag, env);
    const client = cassandraClient(config);
    await client.connect();
    return { config, client };
  });
}

/** An "ends exact" test: a generated fixture with its reference aggregates (prepareExactRun), in a temp dir. */
export function useExactRun(tag: string, o: Parameters<typeof prepareExactRun>[2]): ExactRun {
  const dir = mkdtempSync(join(tmpdir(), `proc-${tag}-`));
  return own(
    () => prepareExactRun(tag, dir, o),
    () => rmSync(dir, { recursive: true, force: true }),
  );
}
