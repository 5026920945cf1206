import { describe, expect, it } from "vitest";
import {
  crossProblems,
  type K8sObject,
  OVERLAYS,
  render,
  schemaProblems,
  validateOverlay,
} from "./validate.ts";

// The Kubernetes manifests, rendered with `kubectl kustomize` and validated offline (deploy/k8s/validate.ts).
const clone = <T>(x: T): T => structuredClone(x);
const byKind = (objs: K8sObject[], kind: string) => objs.find((o) => o.kind === kind)!;

describe("Kubernetes manifests", () => {
  it.each(OVERLAYS)(
    "%s renders and passes the Kubernetes, Strimzi and KEDA schemas and the cross-checks",
    async (o) => {
      const { objects, problems } = await validateOverlay(o);
      expect(problems).toEqual([]);
      expect(objects).toBeGreaterThan(10);
    },
  );

  it("production runs 3 Kafka nodes, 3 Cassandra nodes, RF 3 with 2 in sync and LOCAL_QUORUM", () => {
    const objs = render("production");
    const pool = byKind(objs, "KafkaNodePool").spec as { replicas: number; roles: string[] };
    expect(pool).toMatchObject({ replicas: 3, roles: ["controller", "broker"] });
    expect((byKind(objs, "StatefulSet").spec as { replicas: number }).replicas).toBe(3);
    expect(byKind(objs, "ConfigMap").data).toMatchObject({
      TOPIC_REPLICATION_FACTOR: "3",
      TOPIC_MIN_INSYNC_REPLICAS: "2",
      CASSANDRA_REPLICATION: "dc1:3",
      CASSANDRA_CONSISTENCY_CHECKPOINTS: "LOCAL_QUORUM",
    });
    expect(byKind(objs, "ScaledObject").spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 12 });
  });

  it("the schemas catch an unknown CRD field, a missing required one and a wrong Kubernetes type", async () => {
    const objs = render("single-node");
    const kafka = clone(byKind(objs, "Kafka"));
    (kafka.spec as { kafka: Record<string, unknown> }).kafka.replicas = 3;
    expect((await schemaProblems(kafka)).join()).toMatch(/must NOT have additional properties \(replicas\)/);
    const pool = clone(byKind(objs, "KafkaNodePool"));
    delete (pool.spec as Record<string, unknown>).roles;
    expect((await schemaProblems(pool)).join()).toMatch(/must have required property 'roles'/);
    const so = clone(byKind(objs, "ScaledObject"));
    (so.spec as Record<string, unknown>).minReplicaCount = "one";
    expect((await schemaProblems(so)).join()).toMatch(/minReplicaCount must be integer/);
    const web = clone(objs.find((o) => o.kind === "Deployment" && o.metadata.name === "web")!);
    (web.spec as Record<string, unknown>).replicas = "two";
    expect((await schemaProblems(web)).join()).toMatch(/replicas must be integer/);
  });

  it("the cross-checks catch a dangling selector, an autoscaler past the partitions and RF above the brokers", () => {
    const objs = clone(render("single-node"));
    const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === "web")!;
    (svc.spec as { selector: Record<string, string> }).selector = { "app.kubernetes.io/name": "wbe" };
    (byKind(objs, "ScaledObject").spec as { maxReplicaCount: number }).maxReplicaCount = 7;
    byKind(objs, "ConfigMap").data!.TOPIC_REPLICATION_FACTOR = "3";
    const problems = crossProblems(objs).join("\n");
    expect(problems).toMatch(/Service\/web: its selector matches no workload/);
    expect(problems).toMatch(/maxReplicaCount 7 exceeds the 6 partitions/);
    expect(problems).toMatch(/TOPIC_REPLICATION_FACTOR 3 exceeds the 1 brokers/);
  });
});
