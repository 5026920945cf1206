import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../common/src/config.ts";
import { artifact } from "./maven.ts";
import { cacheDir, dataDir, ensureDir } from "./paths.ts";
import { startJava } from "./process.ts";
import type { Service } from "./service.ts";
import { heaps, ports, versions } from "./versions.ts";

// Apicurio Registry serves Confluent's Schema Registry API under /apis/ccompat/v7. Its H2 store
// is a file, so schema ids survive a restart: the ids inside messages already in Kafka stay valid.
const home = join(cacheDir, `apicurio-${versions.apicurio}`);
const jar = join(home, `apicurio-registry-app-${versions.apicurio}-runner.jar`);
const store = join(dataDir, "registry");
const url = `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`;

export const registry: Service = {
  name: "registry",
  endpoint: url,
  prepare() {
    if (!existsSync(jar)) {
      const tgz = artifact("io.apicurio", "apicurio-registry-app", versions.apicurio, "tar.gz", "all");
      ensureDir(home);
      execFileSync("tar", ["xzf", tgz, "-C", home]);
    }
    ensureDir(store);
  },
  start() {
    startJava("registry", [
      `-Xmx${heaps.registry}`,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Dquarkus.http.port=${ports.registry}`,
      "-Dquarkus.http.host=127.0.0.1",
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
    const subject = `${loadConfig().TOPIC_USERS}-value`;
    const base = `${url}/subjects/${encodeURIComponent(subject)}`;
    const soft = await fetch(base, { method: "DELETE" });
    if (soft.status === 404) return [];
    await fetch(`${base}?permanent=true`, { method: "DELETE" });
    return [`subject ${subject}`];
  },
};
