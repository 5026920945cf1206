import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../common/src/config.ts";
import { artifact } from "./maven.ts";
import { ensureDir, type StackDirs } from "./paths.ts";
import { startJava } from "./process.ts";
import type { Service } from "./service.ts";
import type { Topology } from "./topology.ts";
import { heaps, versions } from "./versions.ts";

// Apicurio Registry serves Confluent's Schema Registry API under /apis/ccompat/v7. Its H2 store
// is a file, so schema ids survive a restart: the ids inside messages already in Kafka stay valid.

/** Confluent's "subject not found" and "subject soft-deleted" error codes (both HTTP 404). */
const SUBJECT_NOT_FOUND = 40401;
const SUBJECT_SOFT_DELETED = 40404;

/** The one registry of the stack (a cluster's too: its H2 store is a file, a single process). */
export function registryService(config: Config, dirs: StackDirs, topo: Topology): Service {
  const url = config.SCHEMA_REGISTRY_URL.replace(/\/+$/, "");
  const home = join(dirs.cache, `apicurio-${versions.apicurio}`);
  const jar = join(home, `apicurio-registry-app-${versions.apicurio}-runner.jar`);
  const store = join(dirs.data, "registry");
  const { host, port } = topo.registry;
  return {
    kind: "registry",
    name: "registry",
    setting: "SCHEMA_REGISTRY_URL",
    endpoint: config.SCHEMA_REGISTRY_URL,
    localEndpoint: `http://${host}:${port}/apis/ccompat/v7`,
    host,
    ports: [port],
    prepare() {
      if (!existsSync(jar)) {
        const tgz = artifact("io.apicurio", "apicurio-registry-app", versions.apicurio, "tar.gz", "all");
        ensureDir(home);
        execFileSync("tar", ["xzf", tgz, "-C", home]);
      }
      ensureDir(store);
    },
    start() {
      startJava(dirs, "registry", [
        `-Xmx${heaps.registry}`,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        `-Dquarkus.http.port=${port}`,
        `-Dquarkus.http.host=${host}`,
        "-Dquarkus.datasource.jdbc.min-size=2",
        "-Dquarkus.log.level=WARN",
        `-DREGISTRY_DATASOURCE_URL=jdbc:h2:file:${join(store, "registry")};DB_CLOSE_ON_EXIT=FALSE`,
        "-jar",
        jar,
      ]);
    },
    async ready() {
      try {
        const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3_000) });
        return res.ok;
      } catch {
        return false;
      }
    },
    async reset() {
      const subject = `${config.TOPIC_USERS}-value`;
      const base = `${url}/subjects/${encodeURIComponent(subject)}`;
      const soft = await deleteSubject(base);
      if (soft.errorCode === SUBJECT_NOT_FOUND) return [];
      if (!soft.ok && soft.errorCode !== SUBJECT_SOFT_DELETED) throw new Error(soft.describe);
      const hard = await deleteSubject(`${base}?permanent=true`);
      if (!hard.ok) throw new Error(hard.describe);
      return [`subject ${subject}`];
    },
  };
}

async function deleteSubject(
  url: string,
): Promise<{ ok: boolean; errorCode: number | undefined; describe: string }> {
  const res = await fetch(url, { method: "DELETE", signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  let errorCode: number | undefined;
  try {
    const code = (JSON.parse(body) as { error_code?: unknown }).error_code;
    if (typeof code === "number") errorCode = code;
  } catch {
    // Not a registry error body (a proxy's or a wrong path's page): no error code to read.
  }
  return { ok: res.ok, errorCode, describe: `DELETE ${url}: HTTP ${res.status} ${body.slice(0, 200)}` };
}
