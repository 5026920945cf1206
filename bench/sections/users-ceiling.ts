import { concurrent } from "cassandra-driver";
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
    let t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const batch = rows.slice(next, next + sink.usersPerBatch);
        next += batch.length;
        await store.writeUsers(batch);
      }
    };
    await Promise.all(Array.from({ length: sink.concurrency }, worker));
    runs.push({
      shape: "unlogged batches",
      usersInFlight: inFlight,
      eventsPerSec: (count / (performance.now() - t0)) * 1000,
    });

    // Each row its own prepared statement, token-aware, as many rows in flight.
    t0 = performance.now();
    const statements = rows.flatMap((u) => [
      { query: q.user, params: userRow(u) },
      { query: q.userByName, params: [u.record.username, u.record.event_id] },
    ]);
    await concurrent.executeConcurrent(client, statements, { concurrencyLevel: 2 * inFlight });
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
