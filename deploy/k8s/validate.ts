import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

// Offline validation of the rendered manifests (no cluster needed): `kubectl kustomize` renders an
// overlay; every Kubernetes object is checked against the API's schema (kubernetes-models), every
// Strimzi and KEDA object against its CRD's openAPIV3Schema (deploy/k8s/schemas, unknown fields refused
// as `kubeconform -strict` does), and the objects against each other (selectors, references, sizing).
//   node --import tsx deploy/k8s/validate.ts [overlay ...]

const here = new URL(".", import.meta.url).pathname;
export const OVERLAYS = ["single-node", "production"] as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export function render(overlay: string): K8sObject[] {
  const text = execFileSync("kubectl", ["kustomize", join(here, "overlays", overlay)], { encoding: "utf8" });
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${overlay}: ${d.errors[0]?.message}`);
    return d.toJSON() as K8sObject;
  });
}

const CRD_SCHEMAS: Record<string, string> = {
  "kafka.strimzi.io/v1 Kafka": "kafka.strimzi.io_v1_Kafka.json",
  "kafka.strimzi.io/v1 KafkaNodePool": "kafka.strimzi.io_v1_KafkaNodePool.json",
  "keda.sh/v1alpha1 ScaledObject": "keda.sh_v1alpha1_ScaledObject.json",
};

type Schema = { [key: string]: unknown };

/** An object schema that lists its properties admits no others, unless it says it preserves them. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) out[k] = k === "enum" ? v : strict(v);
  const s = schema as Schema;
  if (
    s.properties &&
    s.additionalProperties === undefined &&
    s["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

// OpenAPI's integer formats are checked; its other formats (byte, date-time) only by type, as the
// API server does for a CRD.
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
const integer = (bits: number) => (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1);
ajv.addFormat("int32", { type: "number", validate: integer(32) });
ajv.addFormat("int64", { type: "number", validate: integer(64) });
const crdValidators = new Map<string, ValidateFunction>();

function crdValidator(key: string): ValidateFunction | undefined {
  const file = CRD_SCHEMAS[key];
  if (!file) return undefined;
  let v = crdValidators.get(key);
  if (!v) {
    const { $comment: _, ...schema } = JSON.parse(
      readFileSync(join(here, "schemas", file), "utf8"),
    ) as Schema;
    v = ajv.compile(strict(schema) as Schema);
    crdValidators.set(key, v);
  }
  return v;
}

interface Validating {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validating;

async function kubernetesModel(apiVersion: string, kind: string): Promise<ModelClass> {
  const path = `kubernetes-models/${apiVersion.includes("/") ? apiVersion : `v1`}/${kind}`;
  const mod = (await import(path)) as Record<string, ModelClass>;
  const model = mod[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

/** Schema problems of one object, as "Kind/name: path message". */
export async function schemaProblems(o: K8sObject): Promise<string[]> {
  const id = `${o.kind}/${o.metadata?.name}`;
  const crd = crdValidator(`${o.apiVersion} ${o.kind}`);
  if (crd) {
    if (crd(o)) return [];
    return (crd.errors ?? []).map(
      (e) =>
        `${id}: ${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    );
  }
  if (o.apiVersion.includes(".") && !o.apiVersion.includes("k8s.io")) {
    return [
      `${id}: ${o.apiVersion} is neither a Kubernetes API nor a CRD with a schema in deploy/k8s/schemas`,
    ];
  }
  try {
    new (await kubernetesModel(o.apiVersion, o.kind))(o).validate();
    return [];
  } catch (err) {
    return [`${id}: ${(err as Error).message}`];
  }
}

type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[] } };
interface Container {
  name: string;
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

const workloads = (objs: K8sObject[]) =>
  objs.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet") as (K8sObject & {
    spec: { replicas?: number; template: PodTemplate };
  })[];

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** What the schemas cannot see: references between objects, and the sizing the settings assume. */
export function crossProblems(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
  const config = find("ConfigMap", "pipeline-config")?.data ?? {};
  for (const s of objs.filter((o) => o.kind === "Service")) {
    const sel = (s.spec?.selector ?? {}) as Record<string, string>;
    if (!workloads(objs).some((w) => matches(sel, w.spec.template.metadata?.labels)))
      problems.push(`Service/${s.metadata.name}: its selector matches no workload's pods`);
  }
  for (const w of workloads(objs)) {
    for (const c of w.spec.template.spec.containers) {
      const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
      for (const ref of c.envFrom ?? [])
        if (ref.configMapRef && !find("ConfigMap", ref.configMapRef.name))
          problems.push(`${where}: ConfigMap ${ref.configMapRef.name} does not exist`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
        problems.push(`${where}: needs cpu and memory requests and a memory limit`);
    }
  }
  for (const name of ["web", "processor"]) {
    const c = (find("Deployment", name) as ReturnType<typeof workloads>[number] | undefined)?.spec.template
      .spec.containers[0];
    if (c?.readinessProbe?.httpGet?.path !== "/healthz" || c?.livenessProbe?.httpGet?.path !== "/healthz")
      problems.push(`Deployment/${name}: readiness and liveness probes must be GET /healthz`);
  }
  const partitions = Number(config.TOPIC_PARTITIONS ?? 6);
  for (const so of objs.filter((o) => o.kind === "ScaledObject")) {
    const spec = so.spec as {
      scaleTargetRef: { name: string };
      maxReplicaCount?: number;
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    if (!find("Deployment", spec.scaleTargetRef.name))
      problems.push(
        `ScaledObject/${so.metadata.name}: scales Deployment ${spec.scaleTargetRef.name}, which does not exist`,
      );
    if ((spec.maxReplicaCount ?? 100) > partitions)
      problems.push(
        `ScaledObject/${so.metadata.name}: maxReplicaCount ${spec.maxReplicaCount} exceeds the ${partitions} partitions`,
      );
    for (const t of spec.triggers.filter((x) => x.type === "kafka")) {
      const want = {
        bootstrapServers: config.KAFKA_BOOTSTRAP,
        consumerGroup: config.CONSUMER_GROUP ?? "rt-processor",
        topic: config.TOPIC_USERS ?? "users_created",
      };
      for (const [k, v] of Object.entries(want))
        if (t.metadata[k] !== v)
          problems.push(
            `ScaledObject/${so.metadata.name}: trigger ${k} ${t.metadata[k]} is not the pipeline's ${v}`,
          );
    }
  }
  const brokers = objs
    .filter((o) => o.kind === "KafkaNodePool")
    .reduce(
      (a, p) =>
        a +
        ((p.spec as { roles: string[] }).roles.includes("broker")
          ? (p.spec as { replicas: number }).replicas
          : 0),
      0,
    );
  const rf = Number(config.TOPIC_REPLICATION_FACTOR ?? 1);
  const isr = Number(config.TOPIC_MIN_INSYNC_REPLICAS ?? 1);
  if (rf > brokers) problems.push(`TOPIC_REPLICATION_FACTOR ${rf} exceeds the ${brokers} brokers`);
  if (rf > 1 && isr >= rf)
    problems.push(`TOPIC_MIN_INSYNC_REPLICAS ${isr} leaves no broker to lose at RF ${rf}`);
  const cassandra = find("StatefulSet", "cassandra") as ReturnType<typeof workloads>[number] | undefined;
  for (const part of (config.CASSANDRA_REPLICATION ?? "").split(",").filter((x) => x.trim() !== "")) {
    const [dc, factor] = part.split(":");
    if (dc?.trim() !== config.CASSANDRA_DC)
      problems.push(`CASSANDRA_REPLICATION names ${dc}, not CASSANDRA_DC ${config.CASSANDRA_DC}`);
    if (Number(factor) > (cassandra?.spec.replicas ?? 0))
      problems.push(`CASSANDRA_REPLICATION ${part} exceeds the ${cassandra?.spec.replicas} Cassandra nodes`);
  }
  return problems;
}

export async function validateOverlay(overlay: string): Promise<{ objects: number; problems: string[] }> {
  const objs = render(overlay);
  const problems = (await Promise.all(objs.map(schemaProblems))).flat();
  return { objects: objs.length, problems: [...problems, ...crossProblems(objs)] };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const wanted = process.argv.slice(2);
  let failed = false;
  for (const overlay of wanted.length ? wanted : OVERLAYS) {
    const { objects, problems } = await validateOverlay(overlay);
    console.log(
      `${overlay}: ${objects} objects, ${problems.length ? `${problems.length} problems` : "valid"}`,
    );
    for (const p of problems) console.log(`  ${p}`);
    failed ||= problems.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
