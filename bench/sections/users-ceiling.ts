import type { Config } from "../../common/src/config.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { CassandraStore, userRow, userStatements } from "../../processor/src/adapters/cassandra-store.ts";
import type { StoredUser } from "../../processor/src/ports.ts";
import { mapUser, syntheticUser } from "../../producer/src/index.ts";
import { createRng } from "../../producer/src/rng.ts";

// The users path's ceiling: a bare cassandra-driver loader writing the rows the processor stores for
// each user (users and users_by_username) into a fresh keyspace, with nothing else to do. It keeps as
// many users in flight as the processor's sink can (PROCESSOR_SINK_CONCURRENCY writes of
// PROCESSOR_USERS_PER_BATCH users each) and tries two statement shapes; the best is the ceiling.
export interface UsersCeilingRun {
  shape: "unlogged batches" | "single statements";
  usersInFlight: number;
  eventsPerSec: number;
}

function users(count: number): StoredUser[] {
  const rng = createRng(7);
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

export async function usersCeiling(
  config: Config,
  count: number,
  sink: { concurrency: number; usersPerBatch: number },
): Promise<UsersCeilingRun[]> {
  const store = await CassandraStore.open(config);
  const client = store.client;
  const rows = users(count);
  const q = userStatements(config.CASSANDRA_KEYSPACE);
  const inFlight = sink.concurrency * sink.usersPerBatch;
  const runs: UsersCeilingRun[] = [];
  try {
    // The processor's own shape: unlogged batches of usersPerBatch users, `concurrency` at a time.
    const batches: StoredUser[][] = [];
    for (let i = 0; i < rows.length; i += sink.usersPerBatch)
      batches.push(rows.slice(i, i + sink.usersPerBatch));
    let t0 = performance.now();
    await pool(
      batches.map((b) => () => retried(() => store.writeUsers(b))),
      sink.concurrency,
    );
    runs.push({
      shape: "unlogged batches",
      usersInFlight: inFlight,
      eventsPerSec: (count / (performance.now() - t0)) * 1000,
    });

    // Each row its own prepared statement (token-aware), as many users in flight.
    const options = { prepare: true, isIdempotent: true };
    t0 = performance.now();
    await pool(
      rows.map(
        (u) => () =>
          retried(() =>
            Promise.all([
              client.execute(q.user, userRow(u), options),
              client.execute(q.userByName, [u.record.username, u.record.event_id], options),
            ]),
          ),
      ),
      inFlight,
    );
    runs.push({
      shape: "single statements",
      usersInFlight: inFlight,
      eventsPerSec: (count / (performance.now() - t0)) * 1000,
    });
    return runs;
  } finally {
    await client.shutdown();
  }
}
