import { concurrent } from "cassandra-driver";
import type { Config } from "../../common/src/config.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { CassandraStore, userRow, userStatements } from "../../processor/src/adapters/cassandra-store.ts";
import type { StoredUser } from "../../processor/src/ports.ts";
import { mapUser, syntheticUser } from "../../producer/src/index.ts";
import { createRng } from "../../producer/src/rng.ts";

// The users path's ceiling: a bare cassandra-driver loader writing the rows the processor stores for
// each user (users and users_by_username) into a fresh keyspace, with nothing else to do, in the shapes
// worth trying: single-row prepared statements through cassandra-driver's executeConcurrent at several
// concurrency levels, and unlogged batches of several sizes and concurrencies (the rows of one user are in
// two tables, and users are distinct partitions, so a batch by partition holds one row: multi-partition
// batches are what saves round trips). The best is the ceiling. Each shape writes users of its own, as
// many as the processor stores: re-writing one set would overwrite rows a memtable already holds, and a
// smaller set would end before the flushes a run as long as the processor's meets.
export interface UsersCeilingRun {
  shape: string;
  /** The processor's own shape (PROCESSOR_USERS_PER_BATCH users a batch, PROCESSOR_SINK_CONCURRENCY at once). */
  own: boolean;
  /** Rows (two a user) executing at once. */
  rowsInFlight: number;
  eventsPerSec: number;
}

type Shape = { kind: "single"; concurrency: number } | { kind: "batch"; users: number; concurrency: number };

/** Statement shapes tried, each over the same number of users (single rows at 64 and 256 at once were slower still). */
const SHAPES: Shape[] = [
  { kind: "single", concurrency: 1_024 },
  { kind: "batch", users: 10, concurrency: 16 },
  { kind: "batch", users: 10, concurrency: 64 },
  { kind: "batch", users: 100, concurrency: 8 },
  { kind: "batch", users: 100, concurrency: 32 },
];

function users(count: number, seed: number): StoredUser[] {
  const rng = createRng(seed);
  const type = userSchema(1).type;
  const out: StoredUser[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const mapped = mapUser(syntheticUser(rng, now + i), now + i, type, "synthetic");
    if (!mapped.ok) throw new Error(`synthetic user refused: ${mapped.reason}`);
    out.push({ record: mapped.record, source: "synthetic", partition: i % 6, offset: String(i) });
  }
  return out;
}

/** A write again after a timeout (the rows are upserts): a loaded Cassandra must slow the loader, not end it. */
async function retried(write: () => Promise<unknown>, attempts = 8): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await write();
      return;
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}

/** Runs `jobs` with at most `width` of them at a time. */
async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** The shapes tried: SHAPES, and the processor's own if it is not one of them. */
function shapesWith(own: { users: number; concurrency: number }): Shape[] {
  const listed = SHAPES.some(
    (s) => s.kind === "batch" && s.users === own.users && s.concurrency === own.concurrency,
  );
  return listed ? SHAPES : [...SHAPES, { kind: "batch", ...own }];
}

export async function usersCeiling(
  config: Config,
  count: number,
  own: { users: number; concurrency: number },
): Promise<UsersCeilingRun[]> {
  const store = await CassandraStore.open(config);
  const client = store.client;
  const q = userStatements(config.CASSANDRA_KEYSPACE);
  const runs: UsersCeilingRun[] = [];
  try {
    for (const [i, shape] of shapesWith(own).entries()) {
      const rows = users(count, 7 + i);
      const t0 = performance.now();
      if (shape.kind === "single") {
        const queries = rows.flatMap((u) => [
          { query: q.user, params: userRow(u) },
          { query: q.userByName, params: [u.record.username, u.record.event_id] },
        ]);
        // The rows are upserts: a run a timeout broke is run again.
        await retried(() =>
          concurrent.executeConcurrent(client, queries, { concurrencyLevel: shape.concurrency }),
        );
      } else {
        const batches: StoredUser[][] = [];
        for (let i = 0; i < rows.length; i += shape.users) batches.push(rows.slice(i, i + shape.users));
        const options = { prepare: true, logged: false, isIdempotent: true };
        await pool(
          batches.map(
            (b) => () =>
              retried(() =>
                client.batch(
                  b.flatMap((u) => [
                    { query: q.user, params: userRow(u) },
                    { query: q.userByName, params: [u.record.username, u.record.event_id] },
                  ]),
                  options,
                ),
              ),
          ),
          shape.concurrency,
        );
      }
      const run = {
        shape:
          shape.kind === "single"
            ? `single-row statements, executeConcurrent ${shape.concurrency}`
            : `unlogged batches of ${shape.users} users, ${shape.concurrency} at a time`,
        own: shape.kind === "batch" && shape.users === own.users && shape.concurrency === own.concurrency,
        rowsInFlight: shape.kind === "single" ? shape.concurrency : 2 * shape.users * shape.concurrency,
        eventsPerSec: (count / (performance.now() - t0)) * 1000,
      };
      console.log(`    users loader, ${run.shape}: ${Math.round(run.eventsPerSec)} users/s`);
      runs.push(run);
    }
    return runs;
  } finally {
    await client.shutdown();
  }
}
