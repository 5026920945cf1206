import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";

// Writes the openAPIV3Schema of a CRD's storage version as JSON, for deploy/k8s/validate.ts:
//   node --import tsx deploy/k8s/schemas/extract.ts <crd.yaml> <out.json>
// (the sources and their commits: deploy/k8s/schemas/README.md).
interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[];
  };
}

const [src, out] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: extract.ts <crd.yaml> <out.json>");
const crd = parse(readFileSync(src, "utf8")) as Crd;
const version = crd.spec.versions.find((v) => v.storage);
if (!version) throw new Error(`${src}: no storage version`);
const schema = {
  $comment: `${crd.spec.group}/${version.name} ${crd.spec.names.kind}: openAPIV3Schema of CRD ${crd.metadata.name}`,
  ...version.schema.openAPIV3Schema,
};
writeFileSync(out, `${JSON.stringify(schema)}\n`);
