import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { MessageDecoder } from "../message-decoder.ts";
import { NotFoundPage } from "../pages/not-found.tsx";
import { SchemasPage, SubjectPage, type SubjectRow } from "../pages/schemas.tsx";
import { TopicPage, type TopicRow, TopicsPage } from "../pages/topics.tsx";
import type { TopicQuery } from "../ports.ts";
import { schemaDiff } from "../schema-diff.ts";

const html = (node: unknown) => `<!doctype html>${String(node)}`;
const MAX_MESSAGES = 200;
/** Subjects the Schemas page lists with their versions and level (a call each): a registry of many is paged by the API. */
const MAX_SUBJECTS = 200;

function nonNegative(v: string | undefined): number | null {
  if (v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The topic and schema browser: only the project's topics, any subject of the registry. */
export function browseRoutes(deps: AppDeps): { pages: Hono; api: Hono } {
  const pages = new Hono();
  const api = new Hono();
  const decoder = new MessageDecoder(deps.registry);
  const roles: [string, string][] = [
    [deps.topicNames.users, "input (Avro)"],
    [deps.topicNames.dlq, "dead letters"],
    [deps.topicNames.late, "late events"],
    [deps.topicNames.aggregates, "window updates (compacted)"],
  ];
  const isProjectTopic = (t: string) => roles.some(([name]) => name === t);

  const topicRows = (): Promise<TopicRow[]> =>
    Promise.all(
      roles.map(async ([topic, role]) => {
        try {
          return { role, offsets: await deps.kafkaAdmin.topicOffsets(topic), error: null };
        } catch (err) {
          return { role, offsets: { topic, exists: false, partitions: [] }, error: (err as Error).message };
        }
      }),
    );

  const browse = async (topic: string, query: Record<string, string>) => {
    const partition = nonNegative(query.partition);
    const from = partition === null ? null : nonNegative(query.offset);
    const limit = Math.min(MAX_MESSAGES, Math.max(1, nonNegative(query.limit) ?? 20));
    const q: TopicQuery = {
      limit,
      ...(partition === null ? {} : { partition }),
      ...(from === null ? {} : { from }),
    };
    const raw = await deps.topics.read(topic, q);
    const messages = await Promise.all(raw.map(async (m) => ({ m, d: await decoder.decode(m) })));
    return { partition, from, limit, messages };
  };

  pages.get("/topics", async (c) => c.html(html(<TopicsPage topics={await topicRows()} />)));

  pages.get("/topics/:topic", async (c) => {
    const topic = c.req.param("topic");
    if (!isProjectTopic(topic))
      return c.html(
        html(<NotFoundPage what={`${topic} is not one of the project's topics`} back="/topics" />),
        404,
      );
    const [topics, page] = await Promise.all([topicRows(), browse(topic, c.req.query())]);
    const partitions =
      topics.find((t) => t.offsets?.topic === topic)?.offsets?.partitions.map((p) => p.partition) ?? [];
    return c.html(html(<TopicPage topic={topic} topics={topics} partitions={partitions} {...page} />));
  });

  api.get("/topics/:topic", async (c) => {
    const topic = c.req.param("topic");
    if (!isProjectTopic(topic)) return c.json({ error: `${topic} is not one of the project's topics` }, 404);
    const page = await browse(topic, c.req.query());
    return c.json({
      topic,
      messages: page.messages.map(({ m, d }) => ({
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        headers: m.headers,
        ...d,
      })),
    });
  });

  pages.get("/schemas", async (c) => {
    const names = (await deps.registry.subjects()).slice(0, MAX_SUBJECTS);
    const subjects: SubjectRow[] = await Promise.all(
      names.map(async (subject) => ({
        subject,
        versions: await deps.registry.versions(subject),
        compatibility: await deps.registry.compatibility(subject).catch(() => null),
      })),
    );
    return c.html(html(<SchemasPage subjects={subjects} registryUrl={deps.registryUrl} />));
  });

  pages.get("/schemas/:subject", async (c) => {
    const subject = c.req.param("subject");
    const versions = await deps.registry.versions(subject);
    if (versions.length === 0)
      return c.html(
        html(<NotFoundPage what={`no subject ${subject} in the registry`} back="/schemas" />),
        404,
      );
    const pickVersion = (v: string | undefined, def: number | undefined) => {
      const n = nonNegative(v);
      return n !== null && versions.includes(n) ? n : def;
    };
    const shownVersion = pickVersion(c.req.query("version"), versions.at(-1));
    const from = pickVersion(c.req.query("from"), undefined);
    const to = pickVersion(c.req.query("to"), undefined);
    const [compatibility, shown, a, b] = await Promise.all([
      deps.registry.compatibility(subject),
      shownVersion === undefined ? null : deps.registry.version(subject, shownVersion),
      from === undefined ? null : deps.registry.version(subject, from),
      to === undefined ? null : deps.registry.version(subject, to),
    ]);
    const diff =
      a && b && from !== undefined && to !== undefined
        ? { from, to, lines: schemaDiff(a.schema, b.schema) }
        : null;
    return c.html(
      html(
        <SubjectPage
          subject={subject}
          versions={versions}
          compatibility={compatibility}
          shown={shown}
          diff={diff}
        />,
      ),
    );
  });

  api.get("/schemas/:subject/diff", async (c) => {
    const subject = c.req.param("subject");
    const from = nonNegative(c.req.query("from"));
    const to = nonNegative(c.req.query("to"));
    if (from === null || to === null) return c.json({ error: "from and to: version numbers" }, 400);
    const [a, b] = await Promise.all([
      deps.registry.version(subject, from),
      deps.registry.version(subject, to),
    ]);
    if (!a || !b) return c.json({ error: `no version ${!a ? from : to} of ${subject}` }, 404);
    return c.json({ subject, from, to, lines: schemaDiff(a.schema, b.schema) });
  });

  return { pages, api };
}
