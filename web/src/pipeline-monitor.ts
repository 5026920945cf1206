import { combineStatuses } from "./combined-status.ts";
import type {
  CheckpointStore,
  KafkaAdmin,
  ProcessorFleetSource,
  ProcessorInstance,
  ProcessorStatus,
  TopicOffsets,
} from "./ports.ts";

interface PipelineTopicNames {
  users: string;
  dlq: string;
  late: string;
  aggregates: string;
}

interface PartitionLag {
  partition: number;
  /** Log start offset: where the processor begins a partition it has no position in (earliest). */
  start: number;
  end: number;
  committed: number | null;
  checkpoint: number | null;
  live: number | null;
  /** end minus the freshest known read position, or minus the log start when nothing has read it yet. */
  lag: number;
  /** The partition's watermark: the processor's when it answers, else the last checkpoint's. */
  watermark: number | null;
  /** The core's counters of the partition (over every owner); null when the processor does not report them. */
  partlyLate: number | null;
  refused: number | null;
}

/** "failed": the processor answers but stopped for good (it says why in processor.failure). */
export type ProcessorState = "unreachable" | "failed" | "paused" | "running";

export function processorState(p: ProcessorStatus | null): ProcessorState {
  if (!p) return "unreachable";
  if (p.failure) return "failed";
  return p.paused ? "paused" : "running";
}

interface WatermarkReading {
  value: number | null;
  /**
   * "processor": its live /status; "checkpoints": the processor did not answer, so the lowest
   * watermark of the partitions' last checkpoints (idle partitions unknown, hence conservative).
   */
  source: "processor" | "checkpoints" | null;
}

export interface PipelineSnapshot {
  sampledAt: number;
  topics: (TopicOffsets & { role: keyof PipelineTopicNames; messages: number })[];
  /** totalLag sums every partition, null when the topic's partitions are unknown. */
  consumer: { group: string; topic: string; partitions: PartitionLag[]; totalLag: number | null };
  /** The whole consumer group as one (combined-status.ts): sums, lowest watermark, worst latency. */
  processor: ProcessorStatus | null;
  processorState: ProcessorState;
  /** Every instance of the group: registered (with its liveness) or found at PROCESSOR_STATUS_URL. */
  instances: ProcessorInstance[];
  watermark: WatermarkReading;
  throughput: { inPerSec: number | null; processedPerSec: number | null; aggregateRowsPerSec: number | null };
  deadLettered: number;
  late: number;
  errors: string[];
}

interface Sample {
  at: number;
  usersEnd: number;
  aggregatesEnd: number;
  processed: number | null;
}

export interface PipelineMonitorDeps {
  admin: KafkaAdmin;
  processor: ProcessorFleetSource;
  checkpoints: CheckpointStore;
  topics: PipelineTopicNames;
  group: string;
  /** Snapshots younger than this are shared, so many open Pipeline pages cost one Kafka round. */
  cacheMs: number;
  now?: () => number;
}

const sumEnds = (t: TopicOffsets | undefined) => (t ? t.partitions.reduce((a, p) => a + p.high, 0) : 0);
const sumMessages = (t: TopicOffsets) => t.partitions.reduce((a, p) => a + Math.max(0, p.high - p.low), 0);

/** What Control Center showed: topic offsets, consumer lag, processor health and throughput. */
export class PipelineMonitor {
  private last: PipelineSnapshot | null = null;
  private inFlight: Promise<PipelineSnapshot> | null = null;
  private prev: Sample | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: PipelineMonitorDeps) {
    this.now = deps.now ?? Date.now;
  }

  snapshot(): Promise<PipelineSnapshot> {
    if (this.last && this.now() - this.last.sampledAt < this.deps.cacheMs) return Promise.resolve(this.last);
    this.inFlight ??= this.collect().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async collect(): Promise<PipelineSnapshot> {
    const { admin, topics, group } = this.deps;
    const errors: string[] = [];
    const attempt = async <T>(what: string, f: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await f();
      } catch (e) {
        errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        return fallback;
      }
    };
    const roles = Object.entries(topics) as [keyof PipelineTopicNames, string][];
    const [offsets, committed, checkpoints, instances] = await Promise.all([
      Promise.all(
        roles.map(([role, name]) =>
          attempt(`offsets of ${name}`, () => admin.topicOffsets(name), {
            topic: name,
            exists: false,
            partitions: [],
          }).then((t) => ({ ...t, role, messages: sumMessages(t) })),
        ),
      ),
      attempt(
        "committed offsets",
        () => admin.committedOffsets(group, topics.users),
        new Map<number, number>(),
      ),
      attempt("checkpoints", () => this.deps.checkpoints.checkpoints(topics.users), []),
      attempt("processor instances", () => this.deps.processor.instances(), [] as ProcessorInstance[]),
    ]);
    const processor = combineStatuses(instances.flatMap((i) => (i.status ? [i.status] : [])));
    const byRole = new Map(offsets.map((t) => [t.role, t]));
    const users = byRole.get("users");
    const checkpointOf = new Map(checkpoints.map((c) => [c.partition, c]));
    const liveOf = new Map(processor?.partitions.map((p) => [p.partition, p]) ?? []);
    const partitions: PartitionLag[] = (users?.partitions ?? []).map((p) => {
      const c = committed.get(p.partition) ?? null;
      const cp = checkpointOf.get(p.partition) ?? null;
      const live = liveOf.get(p.partition) ?? null;
      const position = live?.nextOffset ?? cp?.nextOffset ?? c;
      // A partition nobody has read yet is read from its log start, and so is one whose position fell
      // behind retention: all of it is still to consume.
      const from = Math.max(position ?? p.low, p.low);
      return {
        partition: p.partition,
        start: p.low,
        end: p.high,
        committed: c,
        checkpoint: cp?.nextOffset ?? null,
        live: live?.nextOffset ?? null,
        lag: Math.max(0, p.high - from),
        watermark: live ? live.watermark : (cp?.watermark ?? null),
        partlyLate: live?.partlyLate ?? null,
        refused: live?.refused ?? null,
      };
    });
    const checkpointMarks = checkpoints.flatMap((c) => (c.watermark === null ? [] : [c.watermark]));
    const watermark: WatermarkReading = processor
      ? { value: processor.watermark, source: "processor" }
      : checkpointMarks.length > 0
        ? { value: Math.min(...checkpointMarks), source: "checkpoints" }
        : { value: null, source: null };
    const at = this.now();
    const sample: Sample = {
      at,
      usersEnd: sumEnds(users),
      aggregatesEnd: sumEnds(byRole.get("aggregates")),
      processed: processor?.processed ?? null,
    };
    const prev = this.prev;
    const rate = (a: number | null, b: number | null) =>
      prev && a !== null && b !== null && at > prev.at
        ? Math.max(0, ((a - b) * 1000) / (at - prev.at))
        : null;
    this.prev = sample;
    const snap: PipelineSnapshot = {
      sampledAt: at,
      topics: offsets,
      consumer: {
        group,
        topic: topics.users,
        partitions,
        totalLag: users?.exists ? partitions.reduce((a, p) => a + p.lag, 0) : null,
      },
      processor,
      processorState: processorState(processor),
      instances,
      watermark,
      throughput: {
        inPerSec: rate(sample.usersEnd, prev?.usersEnd ?? null),
        processedPerSec: rate(sample.processed, prev?.processed ?? null) ?? processor?.eventsPerSec ?? null,
        aggregateRowsPerSec: rate(sample.aggregatesEnd, prev?.aggregatesEnd ?? null),
      },
      deadLettered: byRole.get("dlq")?.messages ?? 0,
      late: byRole.get("late")?.messages ?? 0,
      errors,
    };
    this.last = snap;
    return snap;
  }
}
