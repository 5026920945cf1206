import { fmt1, fmtDuration, fmtInt, fmtTime } from "../format.ts";
import type { PipelineSnapshot, ProcessorState } from "../pipeline-monitor.ts";
import type { BatchSizes, ProcessorInstance, ProcessorStatus } from "../ports.ts";
import { Kpi, Layout, PageHead } from "./layout.tsx";

const rate = (n: number | null) => (n === null ? "—" : `${fmt1(n)} /s`);

function Watermark(props: { snap: PipelineSnapshot }) {
  const { value, source } = props.snap.watermark;
  if (value === null) return <>—</>;
  const behind = props.snap.sampledAt - value;
  const relative = behind >= 0 ? `${fmtDuration(behind)} behind now` : `${fmtDuration(-behind)} ahead of now`;
  return (
    <>
      {fmtTime(value)}
      <span class="muted">
        {" "}
        ({relative}
        {source === "checkpoints" ? ", from the last checkpoints" : ""})
      </span>
    </>
  );
}

function idleList(partitions: { partition: number; idle: boolean }[]): string {
  const idle = partitions.filter((x) => x.idle).map((x) => x.partition);
  if (idle.length === 0) return "none";
  return `${idle.length === 1 ? "partition" : "partitions"} ${idle.join(", ")} of ${partitions.length}`;
}

const STATE_PILL: Record<ProcessorState, { tone: string; text: string }> = {
  unreachable: { tone: "pill-bad", text: "not reachable" },
  failed: { tone: "pill-bad", text: "failed" },
  paused: { tone: "pill-warn", text: "paused: sink backpressure" },
  running: { tone: "pill-ok", text: "running" },
};

/** A count that means trouble when it is not zero (refused events: the core hit a capacity limit). */
function Alarming(props: { n: number | null | undefined }) {
  return props.n ? <b class="bad-value">{fmtInt(props.n)}</b> : fmtInt(props.n);
}

function countTone(n: number | null | undefined, whenNonZero: "warn" | "bad") {
  return n === null || n === undefined ? undefined : n > 0 ? whenNonZero : "ok";
}

function FailureBanner(props: { p: ProcessorStatus }) {
  return (
    <section class="card alert failure" role="alert">
      <h2>The processor stopped: it will not resume on its own</h2>
      <p class="failure-reason">{props.p.failure}</p>
      <p class="muted">
        Instance <code>{props.p.instance}</code> exits non-zero and wrote no checkpoint past the failure: once
        the cause is fixed, a restart resumes from the last checkpoint.
      </p>
    </section>
  );
}

const LIVENESS_PILL: Record<ProcessorInstance["liveness"], { tone: string; text: string }> = {
  starting: { tone: "pill-warn", text: "starting" },
  running: { tone: "pill-ok", text: "running" },
  paused: { tone: "pill-warn", text: "paused" },
  failed: { tone: "pill-bad", text: "failed" },
  stopped: { tone: "", text: "stopped" },
  gone: { tone: "pill-bad", text: "gone: no heartbeat" },
  unregistered: { tone: "pill-warn", text: "not registered" },
};

function instancePill(i: ProcessorInstance) {
  // Registered as alive but its /status did not answer: it cannot be seen, whatever its last beat said.
  if (i.status === null && i.liveness !== "gone" && i.liveness !== "stopped" && i.liveness !== "failed")
    return { tone: "pill-bad", text: `${i.liveness}, /status not answering` };
  if (i.status?.failure) return LIVENESS_PILL.failed;
  if (i.status?.paused) return LIVENESS_PILL.paused;
  return LIVENESS_PILL[i.liveness];
}

/** One row per instance of the group (instance registry), with its partitions and health. */
function Instances(props: { snap: PipelineSnapshot }) {
  const { instances, sampledAt } = props.snap;
  const lagOf = new Map(props.snap.consumer.partitions.map((p) => [p.partition, p.lag]));
  const live = instances.filter((i) => i.status !== null).length;
  return (
    <section class="card span-2" id="processor-instances">
      <div class="card-head">
        <h2>Processor instances</h2>
        <span class="muted">
          {live} of {instances.length} answering · from the instance registry (heartbeats in Cassandra)
        </span>
      </div>
      <table class="table">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Address</th>
            <th>State</th>
            <th>Partitions</th>
            <th class="num">Processed</th>
            <th class="num">Events/s</th>
            <th class="num">Lag</th>
            <th>Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {instances.length === 0 ? (
            <tr>
              <td colspan={8} class="muted">
                No instance registered in this consumer group.
              </td>
            </tr>
          ) : (
            instances.map((i) => {
              const pill = instancePill(i);
              const lags = i.assigned.flatMap((p) => {
                const l = lagOf.get(p);
                return l === undefined ? [] : [l];
              });
              const lag = lags.length ? lags.reduce((a, l) => a + l, 0) : null;
              return (
                <tr data-instance={i.instance} data-liveness={i.liveness}>
                  <td>
                    <code>{i.instance}</code>
                  </td>
                  <td>
                    <code>{i.address}</code>
                  </td>
                  <td>
                    <span class={`pill ${pill.tone}`}>{pill.text}</span>
                  </td>
                  <td>{i.assigned.length ? i.assigned.join(", ") : "none"}</td>
                  <td class="num">{fmtInt(i.status?.processed)}</td>
                  <td class="num">{i.status ? fmt1(i.status.eventsPerSec) : "—"}</td>
                  <td class="num">{fmtInt(lag)}</td>
                  <td>
                    {i.heartbeatAt === null
                      ? "—"
                      : `${fmtDuration(Math.max(0, sampledAt - i.heartbeatAt))} ago`}
                  </td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </section>
  );
}

function BatchSize(props: { b: BatchSizes }) {
  const { b } = props;
  // Full batches mean more was waiting than one poll may take: the processor is catching up.
  const full = b.p50 !== null && b.p50 >= b.limit;
  return (
    <>
      {fmtInt(b.last)} / {fmtInt(b.p50)} / {fmtInt(b.p99)} / {fmtInt(b.max)}
      <span class="muted">
        {" "}
        (limit {fmtInt(b.limit)}
        {full ? "; full batches: catching up" : ""})
      </span>
    </>
  );
}

export function PipelineLive(props: { snap: PipelineSnapshot }) {
  const s = props.snap;
  const p = s.processor;
  const pill = STATE_PILL[s.processorState];
  const maxLag = Math.max(1, ...s.consumer.partitions.map((x) => x.lag));
  const lagTone = s.consumer.totalLag === null ? undefined : s.consumer.totalLag > 10_000 ? "warn" : "ok";
  return (
    <div
      id="pipeline-live"
      hx-get="/pipeline"
      hx-trigger="every 3s"
      hx-select="#pipeline-live"
      hx-swap="outerHTML"
    >
      {p?.failure ? <FailureBanner p={p} /> : null}
      <section class="kpis">
        <Kpi label="In" value={rate(s.throughput.inPerSec)} hint={`appended to ${s.consumer.topic}`} />
        <Kpi label="Processed" value={rate(s.throughput.processedPerSec)} hint="by the processor" />
        <Kpi
          label="Aggregate rows out"
          value={rate(s.throughput.aggregateRowsPerSec)}
          hint="window updates"
        />
        <Kpi label="Consumer lag" value={fmtInt(s.consumer.totalLag)} hint="messages behind" tone={lagTone} />
        <Kpi
          label="Dead-lettered"
          value={fmtInt(s.deadLettered)}
          hint="on the DLQ topic"
          tone={s.deadLettered > 0 ? "warn" : "ok"}
        />
        <Kpi
          label="Late events"
          value={fmtInt(s.late)}
          hint="on the late topic"
          tone={s.late > 0 ? "warn" : "ok"}
        />
        <Kpi
          label="Partly late"
          value={fmtInt(p?.partlyLate)}
          hint="hopping: open windows only · every instance"
          tone={countTone(p?.partlyLate, "warn")}
        />
        <Kpi
          label="Refused"
          value={fmtInt(p?.refused)}
          hint="core at capacity, dead-lettered · every instance"
          tone={countTone(p?.refused, "bad")}
        />
      </section>
      {s.errors.length ? (
        <section class="card alert">
          <h2>Some sources did not answer</h2>
          <ul>
            {s.errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <div class="grid">
        <section class="card">
          <div class="card-head">
            <h2>Processor</h2>
            <span class={`pill ${pill.tone}`}>{pill.text}</span>
          </div>
          {p ? (
            <dl class="facts compact">
              <dt>Instance</dt>
              <dd>{p.instance}</dd>
              <dt>Group</dt>
              <dd>{p.group}</dd>
              <dt>Assigned partitions</dt>
              <dd>{p.assigned.length ? p.assigned.join(", ") : "none"}</dd>
              <dt>Watermark</dt>
              <dd>
                <Watermark snap={s} />
              </dd>
              <dt>Processed</dt>
              <dd>{fmtInt(p.processed)}</dd>
              <dt>Late / dead-lettered</dt>
              <dd>
                {fmtInt(p.late)} / {fmtInt(p.deadLettered)}
              </dd>
              {p.partlyLate !== undefined || p.refused !== undefined ? (
                <>
                  <dt>Partly late / refused</dt>
                  <dd>
                    {fmtInt(p.partlyLate)} / <Alarming n={p.refused} />
                  </dd>
                </>
              ) : null}
              <dt>Sink latency p50 / p99</dt>
              <dd>
                {fmt1(p.sinkLatencyMs.p50)} ms / {fmt1(p.sinkLatencyMs.p99)} ms
              </dd>
              {p.batchSize ? (
                <>
                  <dt>Batch size last / p50 / p99 / max</dt>
                  <dd>
                    <BatchSize b={p.batchSize} />
                  </dd>
                </>
              ) : null}
              {p.pendingWrites !== undefined ? (
                <>
                  <dt>Pending writes</dt>
                  <dd>{fmtInt(p.pendingWrites)}</dd>
                </>
              ) : null}
              <dt>Idle partitions</dt>
              <dd>{idleList(p.partitions)}</dd>
              <dt>Started</dt>
              <dd>{fmtTime(p.startedAt)}</dd>
            </dl>
          ) : (
            <>
              <p class="muted">
                The processor's status endpoint did not answer; lag and watermarks below come from Kafka and
                the checkpoints in Cassandra.
              </p>
              <dl class="facts compact">
                <dt>Watermark</dt>
                <dd>
                  <Watermark snap={s} />
                </dd>
              </dl>
            </>
          )}
        </section>
        <Instances snap={s} />
        <section class="card">
          <div class="card-head">
            <h2>Topics</h2>
            <span class="muted">sampled {fmtTime(s.sampledAt)}</span>
          </div>
          <table class="table">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Role</th>
                <th class="num">Partitions</th>
                <th class="num">Messages</th>
                <th class="num">End offsets (sum)</th>
              </tr>
            </thead>
            <tbody>
              {s.topics.map((t) => (
                <tr>
                  <td>
                    <code>{t.topic}</code>
                  </td>
                  <td>{t.role}</td>
                  <td class="num">{t.exists ? t.partitions.length : <span class="muted">missing</span>}</td>
                  <td class="num">{fmtInt(t.messages)}</td>
                  <td class="num">{fmtInt(t.partitions.reduce((a, x) => a + x.high, 0))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card span-2">
          <div class="card-head">
            <h2>
              Consumer lag · <code>{s.consumer.group}</code> on <code>{s.consumer.topic}</code>
            </h2>
            <span class="muted">
              position = live processor offset, else Cassandra checkpoint, else committed offset, else log
              start; partly late and refused: the core's counters, over every owner
            </span>
          </div>
          <table class="table">
            <thead>
              <tr>
                <th class="num">Partition</th>
                <th class="num">Log start</th>
                <th class="num">End offset</th>
                <th class="num">Committed</th>
                <th class="num">Checkpoint</th>
                <th class="num">Processor</th>
                <th>Watermark</th>
                <th class="num">Partly late</th>
                <th class="num">Refused</th>
                <th class="num">Lag</th>
                <th class="bar-col" />
              </tr>
            </thead>
            <tbody>
              {s.consumer.partitions.length === 0 ? (
                <tr>
                  <td colspan={11} class="muted">
                    No partitions known.
                  </td>
                </tr>
              ) : (
                s.consumer.partitions.map((x) => (
                  <tr>
                    <td class="num">{x.partition}</td>
                    <td class="num">{fmtInt(x.start)}</td>
                    <td class="num">{fmtInt(x.end)}</td>
                    <td class="num">{fmtInt(x.committed)}</td>
                    <td class="num">{fmtInt(x.checkpoint)}</td>
                    <td class="num">{fmtInt(x.live)}</td>
                    <td>{fmtTime(x.watermark)}</td>
                    <td class="num">{fmtInt(x.partlyLate)}</td>
                    <td class="num">
                      <Alarming n={x.refused} />
                    </td>
                    <td class="num">{fmtInt(x.lag)}</td>
                    <td class="bar-col">
                      <progress max={maxLag} value={x.lag} aria-label={`lag of partition ${x.partition}`} />
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

export function PipelinePage(props: { snap: PipelineSnapshot }) {
  return (
    <Layout title="Pipeline" active="pipeline" scripts={["uPlot.iife.min.js", "charts.js", "latency.js"]}>
      <PageHead
        title="Pipeline"
        sub="Topics, offsets, consumer lag and processor health · refreshes every 3 s"
      >
        <a class="btn btn-ghost" href="/api/pipeline">
          JSON
        </a>
      </PageHead>
      <section class="card">
        <div class="card-head">
          <h2>End-to-end latency · p50 / p99</h2>
          <span class="muted" id="latency-status">
            produced → processed → window emitted → delivered to the browser · every 2 s
          </span>
        </div>
        <div id="latency-chart" class="chart" data-points="0" />
      </section>
      <PipelineLive snap={props.snap} />
    </Layout>
  );
}

/** The one-line pipeline strip on the Overview page. */
export function HealthStrip(props: { snap: PipelineSnapshot }) {
  const s = props.snap;
  const pill = STATE_PILL[s.processorState];
  return (
    <>
      <span class={`pill ${pill.tone}`}>processor {pill.text}</span>
      <span>
        watermark <b>{fmtTime(s.watermark.value)}</b>
        {s.watermark.source === "checkpoints" ? <span class="muted"> (checkpoints)</span> : null}
      </span>
      <span>
        in <b>{rate(s.throughput.inPerSec)}</b>
      </span>
      <span>
        lag <b>{fmtInt(s.consumer.totalLag)}</b>
      </span>
      <span>
        dead-lettered <b>{fmtInt(s.deadLettered)}</b>
      </span>
      <span>
        late <b>{fmtInt(s.late)}</b>
      </span>
      <a href="/pipeline">details →</a>
    </>
  );
}
