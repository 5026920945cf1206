import type { Compatibility, SchemaVersion } from "../ports.ts";
import { type DiffLine, prettySchema } from "../schema-diff.ts";
import { Layout, PageHead } from "./layout.tsx";

/** Unchanged lines kept around each change, as `diff -U3` does. */
const CONTEXT = 3;

/** The diff with long unchanged stretches folded to a count, so the changes are in view. */
function withContext(lines: DiffLine[], context: number): (DiffLine | { skipped: number })[] {
  const near = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.kind === "same") return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) near[j] = true;
  });
  const out: (DiffLine | { skipped: number })[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (near[i]) {
      if (skipped) out.push({ skipped });
      skipped = 0;
      out.push(l);
    } else skipped++;
  });
  if (skipped) out.push({ skipped });
  return out;
}

export interface SubjectRow {
  subject: string;
  versions: number[];
  compatibility: Compatibility | null;
}

export function SchemasPage(props: { subjects: SubjectRow[]; registryUrl: string }) {
  return (
    <Layout title="Schemas" active="schemas">
      <PageHead title="Schemas" sub={`Subjects of the schema registry at ${props.registryUrl}`} />
      <section class="card">
        <table class="table" id="subjects">
          <thead>
            <tr>
              <th>Subject</th>
              <th class="num">Versions</th>
              <th class="num">Latest</th>
              <th>Compatibility</th>
            </tr>
          </thead>
          <tbody>
            {props.subjects.length === 0 ? (
              <tr>
                <td colspan={4} class="muted">
                  No subjects registered.
                </td>
              </tr>
            ) : (
              props.subjects.map((s) => (
                <tr>
                  <td>
                    <a href={`/schemas/${encodeURIComponent(s.subject)}`}>
                      <code>{s.subject}</code>
                    </a>
                  </td>
                  <td class="num">{s.versions.length}</td>
                  <td class="num">{s.versions.at(-1) ?? "—"}</td>
                  <td>
                    {s.compatibility ? (
                      <>
                        {s.compatibility.level}
                        <span class="muted"> ({s.compatibility.scope})</span>
                      </>
                    ) : (
                      "—"
                    )}
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

export interface SubjectPageProps {
  subject: string;
  versions: number[];
  compatibility: Compatibility;
  shown: SchemaVersion | null;
  diff: { from: number; to: number; lines: DiffLine[] } | null;
}

export function SubjectPage(props: SubjectPageProps) {
  const base = `/schemas/${encodeURIComponent(props.subject)}`;
  const last = props.versions.at(-1);
  const prev = props.versions.at(-2);
  return (
    <Layout title={`Schema ${props.subject}`} active="schemas">
      <PageHead title={`Subject · ${props.subject}`} sub={`${props.versions.length} versions`}>
        <a class="btn btn-ghost" href="/schemas">
          ← Schemas
        </a>
      </PageHead>
      <div class="grid">
        <section class="card">
          <div class="card-head">
            <h2>Versions</h2>
            <span class="pill pill-info" id="compatibility">
              {props.compatibility.level}
            </span>
          </div>
          <p class="muted">
            Compatibility {props.compatibility.level},{" "}
            {props.compatibility.scope === "subject" ? "set on this subject" : "the registry's default"}
          </p>
          <table class="table" id="versions">
            <tbody>
              {props.versions.map((v) => (
                <tr class={props.shown?.version === v ? "row-current" : ""}>
                  <td>
                    <a href={`${base}?version=${v}`}>version {v}</a>
                  </td>
                  <td>
                    {props.shown?.version === v ? <span class="muted">id {props.shown.id}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card">
          <div class="card-head">
            <h2>Diff two versions</h2>
          </div>
          <form class="toolbar" method="get" action={base} id="diff-form">
            <label>
              From
              <select name="from" id="diff-from">
                {props.versions.map((v) => (
                  <option value={String(v)} selected={v === (props.diff?.from ?? prev)}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To
              <select name="to" id="diff-to">
                {props.versions.map((v) => (
                  <option value={String(v)} selected={v === (props.diff?.to ?? last)}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <button class="btn" type="submit" id="diff-show">
              Diff
            </button>
          </form>
        </section>
        {props.diff ? (
          <section class="card span-2">
            <div class="card-head">
              <h2>
                Version {props.diff.from} → {props.diff.to}
              </h2>
              <span class="muted" id="diff-summary">
                {props.diff.lines.filter((l) => l.kind === "add").length} lines added,{" "}
                {props.diff.lines.filter((l) => l.kind === "del").length} removed
              </span>
            </div>
            <pre class="diff" id="diff">
              {withContext(props.diff.lines, CONTEXT).map((l) =>
                "skipped" in l ? (
                  <span class="skip">{`  … ${l.skipped} unchanged lines`}</span>
                ) : (
                  <span class={l.kind}>
                    {l.kind === "add" ? "+ " : l.kind === "del" ? "- " : "  "}
                    {l.text}
                  </span>
                ),
              )}
            </pre>
          </section>
        ) : null}
        {props.shown ? (
          <section class="card span-2">
            <div class="card-head">
              <h2>Version {props.shown.version}</h2>
              <span class="muted">schema id {props.shown.id}</span>
            </div>
            <pre class="payload" id="schema-text">
              {prettySchema(props.shown.schema)}
            </pre>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}
