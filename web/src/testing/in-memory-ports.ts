import type { ScheduleState } from "../../../common/src/ingestion-schedule.ts";
import {
  type AggregateStore,
  type Checkpoint,
  type CheckpointStore,
  type Compatibility,
  type IngestionRun,
  type KafkaAdmin,
  type ProcessorFleetSource,
  type ProcessorInstance,
  type ProcessorStatus,
  type ProcessorStatusSource,
  type RedriveOutcome,
  type Redriver,
  ResultTooLargeError,
  type RunStore,
  type ScheduleStore,
  type SchemaRegistry,
  type SchemaVersion,
  type TopicMessage,
  type TopicOffsets,
  type TopicQuery,
  type TopicReader,
  type User,
  type UserStore,
  type WindowQuery,
} from "../ports.ts";
import type { WindowRow } from "../window-types.ts";

// In-memory implementations of the ports, for route tests and the page screenshots of empty states.

export class MemoryAggregateStore implements AggregateStore {
  constructor(public rows: WindowRow[] = []) {}
  async windowRows(q: WindowQuery, maxRows: number): Promise<WindowRow[]> {
    const out = this.rows.filter(
      (r) =>
        r.group === q.group &&
        r.windowStart >= q.from &&
        r.windowStart < q.to &&
        (q.key === undefined || r.key === q.key),
    );
    if (out.length > maxRows) throw new ResultTooLargeError(`more than ${maxRows} rows in range; narrow it`);
    return out;
  }
}

export class MemoryUserStore implements UserStore {
  constructor(public users: User[] = []) {}
  async user(eventId: string): Promise<User | null> {
    return this.users.find((u) => u.eventId === eventId) ?? null;
  }
  async usersByUsername(username: string, limit: number): Promise<User[]> {
    return this.users.filter((u) => u.username === username).slice(0, limit);
  }
}

export class MemoryRunStore implements RunStore {
  constructor(public runs: IngestionRun[] = []) {}
  async recentRuns(_days: number, limit: number): Promise<IngestionRun[]> {
    return [...this.runs].sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0)).slice(0, limit);
  }
  async run(runId: string): Promise<IngestionRun | null> {
    return this.runs.find((r) => r.runId === runId) ?? null;
  }
}

export class MemoryScheduleStore implements ScheduleStore {
  readonly rows = new Map<string, ScheduleState>();
  async schedule(name: string): Promise<ScheduleState | null> {
    return this.rows.get(name) ?? null;
  }
  async requestTrigger(name: string, by: string, at = Date.now()): Promise<void> {
    this.rows.set(name, { ...this.row(name), triggerRequestedAt: at, updatedBy: by });
  }
  async setPaused(name: string, paused: boolean, by: string): Promise<void> {
    this.rows.set(name, { ...this.row(name), paused, updatedBy: by });
  }
  private row(name: string): ScheduleState {
    return (
      this.rows.get(name) ?? {
        name,
        paused: false,
        triggerRequestedAt: null,
        triggerHandledAt: null,
        source: null,
        intervalMs: null,
        nextRunAt: null,
        heartbeatAt: null,
        scheduler: null,
        runningRunId: null,
        lastRunId: null,
        updatedBy: null,
      }
    );
  }
}

export class MemoryCheckpointStore implements CheckpointStore {
  constructor(public byTopic: Map<string, Checkpoint[]> = new Map()) {}
  async checkpoints(topic: string): Promise<Checkpoint[]> {
    return this.byTopic.get(topic) ?? [];
  }
}

export class MemoryKafkaAdmin implements KafkaAdmin {
  constructor(
    public topics: Map<string, TopicOffsets> = new Map(),
    public committed: Map<string, Map<number, number>> = new Map(),
  ) {}
  async topicOffsets(topic: string): Promise<TopicOffsets> {
    return this.topics.get(topic) ?? { topic, exists: false, partitions: [] };
  }
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    return this.committed.get(`${groupId}/${topic}`) ?? new Map();
  }
}

/** One processor (`current`, null: not answering) and, in `others`, any further instances of the group. */
export class MemoryProcessorStatus implements ProcessorStatusSource, ProcessorFleetSource {
  others: ProcessorInstance[] = [];
  constructor(public current: ProcessorStatus | null = null) {}
  async status(): Promise<ProcessorStatus | null> {
    return this.current;
  }
  async instances(): Promise<ProcessorInstance[]> {
    const c = this.current;
    const one: ProcessorInstance[] = c
      ? [
          {
            instance: c.instance,
            address: "memory",
            liveness: "unregistered",
            heartbeatAt: null,
            assigned: c.assigned,
            status: c,
          },
        ]
      : [];
    return [...one, ...this.others];
  }
}

export function blankUser(eventId: string, over: Partial<User> = {}): User {
  return {
    eventId,
    eventTime: null,
    title: null,
    firstName: null,
    lastName: null,
    gender: null,
    nat: null,
    country: null,
    city: null,
    state: null,
    street: null,
    postcode: null,
    latitude: null,
    longitude: null,
    timezoneOffset: null,
    timezoneDescription: null,
    email: null,
    username: null,
    age: null,
    dob: null,
    registeredAt: null,
    phone: null,
    cell: null,
    idName: null,
    idValue: null,
    picture: null,
    source: null,
    kafkaPartition: null,
    kafkaOffset: null,
    ...over,
  };
}

/** Topics as lists of messages; reads follow the port's contract (newest first without `from`). */
export class MemoryTopicReader implements TopicReader {
  readonly topics = new Map<string, TopicMessage[]>();
  append(topic: string, m: Omit<TopicMessage, "topic" | "offset">): TopicMessage {
    const list = this.topics.get(topic) ?? [];
    const offset = list.filter((x) => x.partition === m.partition).length;
    const full = { ...m, topic, offset };
    list.push(full);
    this.topics.set(topic, list);
    return full;
  }
  async read(topic: string, q: TopicQuery): Promise<TopicMessage[]> {
    const all = (this.topics.get(topic) ?? []).filter(
      (m) => q.partition === undefined || m.partition === q.partition,
    );
    if (q.from !== undefined) return all.filter((m) => m.offset >= (q.from ?? 0)).slice(0, q.limit);
    return [...all].reverse().slice(0, q.limit);
  }
  async message(topic: string, partition: number, offset: number): Promise<TopicMessage | null> {
    return (
      (this.topics.get(topic) ?? []).find((m) => m.partition === partition && m.offset === offset) ?? null
    );
  }
  async between(topic: string, from: number, to: number, limit: number): Promise<TopicMessage[]> {
    return (this.topics.get(topic) ?? [])
      .filter((m) => m.timestamp !== null && m.timestamp >= from && m.timestamp < to)
      .slice(0, limit);
  }
}

export class MemoryRedriver implements Redriver {
  readonly calls: { partition: number; offset: number }[][] = [];
  async redrive(letters: { partition: number; offset: number }[]): Promise<RedriveOutcome> {
    this.calls.push(letters);
    return {
      runId: "00000000-0000-1000-8000-000000000000",
      recorded: true,
      sent: letters.length,
      rejected: 0,
      failed: 0,
      skipped: [],
    };
  }
}

export class MemorySchemaRegistry implements SchemaRegistry {
  readonly subjectsMap = new Map<string, SchemaVersion[]>();
  level = "BACKWARD";
  register(subject: string, schema: string): SchemaVersion {
    const list = this.subjectsMap.get(subject) ?? [];
    const all = [...this.subjectsMap.values()].flat();
    const v = { subject, version: list.length + 1, id: all.length + 1, schema };
    list.push(v);
    this.subjectsMap.set(subject, list);
    return v;
  }
  async subjects(): Promise<string[]> {
    return [...this.subjectsMap.keys()].sort();
  }
  async versions(subject: string): Promise<number[]> {
    return (this.subjectsMap.get(subject) ?? []).map((v) => v.version);
  }
  async version(subject: string, version: number): Promise<SchemaVersion | null> {
    return (this.subjectsMap.get(subject) ?? []).find((v) => v.version === version) ?? null;
  }
  async compatibility(): Promise<Compatibility> {
    return { level: this.level, scope: "global" };
  }
  async schemaById(id: number): Promise<string | null> {
    return [...this.subjectsMap.values()].flat().find((v) => v.id === id)?.schema ?? null;
  }
}
