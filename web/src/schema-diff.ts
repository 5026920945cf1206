import { diffLines } from "diff";

export interface DiffLine {
  kind: "same" | "add" | "del";
  text: string;
}

/** A schema pretty-printed, so that a diff shows fields, not one long line. */
export function prettySchema(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

/** Line diff of two schema versions (pretty-printed), in order. */
export function schemaDiff(from: string, to: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const part of diffLines(prettySchema(from), prettySchema(to))) {
    const kind = part.added ? "add" : part.removed ? "del" : "same";
    for (const line of part.value.replace(/\n$/, "").split("\n")) out.push({ kind, text: line });
  }
  return out;
}
