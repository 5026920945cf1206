import { fmtInt, fmtTime } from "../format.ts";
import type { DecodedMessage } from "../message-decoder.ts";
import type { TopicMessage, TopicOffsets } from "../ports.ts";
import { Layout, PageHead } from "./layout.tsx";

export interface TopicRow {
  role: string;
  offsets: TopicOffsets | null;
  error: string | null;
}

function TopicsTable(props: { topics: TopicRow[]; current?: string }) {
  return (
    <table class="table" id="topics">
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
        {props.topics.map((t) => {
          const parts = t.offsets?.partitions ?? [];
          const name = t.offsets?.topic ?? "";
          return (
            <tr class={name === props.current ? "row-current" : ""}>
              <td>
                <a href={`/topics/${encodeURIComponent(name)}`}>
                  <code>{name}</code>
                </a>
              </td>
              <td>{t.role}</td>
              <td class="num">
                {t.error ? (
                  <span class="muted">{t.error}</span>
                ) : t.offsets?.exists ? (
                  parts.length
                ) : (
                  "missing"
                )}
              </td>
              <td class="num">{fmtInt(parts.reduce((n, p) => n + (p.high - p.low), 0))}</td>
              <td class="num">{fmtInt(parts.reduce((n, p) => n + p.high, 0))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export interface TopicPageProps {
  topic: string;
  topics: TopicRow[];
  partitions: number[];
  partition: number | null;
  from: number | null;
  limit: number;
  messages: { m: TopicMessage; d: DecodedMessage }[];
}

export function TopicPage(props: TopicPageProps) {
  const q = (over: Record<string, number | null>) => {
    const p = new URLSearchParams();
    const all: Record<string, number | null> = {
      partition: props.partition,
      offset: props.from,
      limit: props.limit,
      ...over,
    };
    for (const [k, v] of Object.entries(all)) if (v !== null) p.set(k, String(v));
    return `/topics/${encodeURIComponent(props.topic)}?${p}`;
  };
  const first = props.messages[0]?.m.offset;
  const last = props.messages.at(-1)?.m.offset;
  return (
    <Layout title={`Topic ${props.topic}`} active="topics">
      <PageHead
        title={`Topic · ${props.topic}`}
        sub="Messages decoded through the schema registry (Confluent wire format → Avro), else JSON or text"
      >
        <a class="btn btn-ghost" href={`/api${q({})}`}>
          JSON
        </a>
      </PageHead>
      <section class="card">
        <TopicsTable topics={props.topics} current={props.topic} />
      </section>
      <form
        class="toolbar"
        method="get"
        action={`/topics/${encodeURIComponent(props.topic)}`}
        id="topic-form"
      >
        <label>
          Partition
          <select name="partition">
            <option value="">all (newest)</option>
            {props.partitions.map((p) => (
              <option value={String(p)} selected={p === props.partition}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          From offset
          <input
            type="number"
            name="offset"
            min="0"
            value={props.from === null ? "" : String(props.from)}
            placeholder="newest"
          />
        </label>
        <label>
          Limit
          <input type="number" name="limit" min="1" max="200" value={String(props.limit)} />
        </label>
        <button class="btn" type="submit" id="topic-show">
          Show
        </button>
        {props.partition !== null && first !== undefined && last !== undefined ? (
          <>
            <a class="btn btn-ghost" href={q({ offset: Math.max(0, Math.min(first, last) - props.limit) })}>
              ← older
            </a>
            <a class="btn btn-ghost" href={q({ offset: Math.max(first, last) + 1 })}>
              newer →
            </a>
          </>
        ) : null}
      </form>
      <section class="card">
        <div class="card-head">
          <h2>Messages</h2>
          <span class="muted" id="messages-count">
            {props.messages.length} shown
            {props.from === null
              ? " · newest first"
              : ` · partition ${props.partition} from offset ${props.from}`}
          </span>
        </div>
        <table class="table" id="messages">
          <thead>
            <tr>
              <th class="num">Partition</th>
              <th class="num">Offset</th>
              <th>Timestamp</th>
              <th>Key</th>
              <th>Format</th>
              <th>Headers</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {props.messages.length === 0 ? (
              <tr>
                <td colspan={7} class="muted">
                  No messages in this range.
                </td>
              </tr>
            ) : (
              props.messages.map(({ m, d }) => (
                <tr data-offset={`${m.partition}:${m.offset}`}>
                  <td class="num">{m.partition}</td>
                  <td class="num">{m.offset}</td>
                  <td>{fmtTime(m.timestamp)}</td>
                  <td>
                    <code>{m.key ?? "—"}</code>
                  </td>
                  <td>
                    <span class="pill pill-info">{d.format}</span>
                    {d.schemaId !== null ? <span class="muted"> schema {d.schemaId}</span> : null}
                    <div class="muted">{fmtInt(d.bytes)} B</div>
                  </td>
                  <td class="value-cell">
                    {Object.entries(m.headers).map(([k, v]) => (
                      <div>
                        <code>
                          {k}={v}
                        </code>
                      </div>
                    ))}
                  </td>
                  <td class="value-cell">
                    {d.problem ? <div class="error-cell">{d.problem}</div> : null}
                    <pre class="payload">{d.value}</pre>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

export function TopicsPage(props: { topics: TopicRow[] }) {
  return (
    <Layout title="Topics" active="topics">
      <PageHead
        title="Topics"
        sub="The project's topics: partitions, offsets; open one to browse its messages"
      />
      <section class="card">
        <TopicsTable topics={props.topics} />
      </section>
    </Layout>
  );
}
