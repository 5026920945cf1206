import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDir, repoRoot } from "./paths.ts";

const mvn = (args: string[]) =>
  execFileSync("mvn", ["-q", "-B", ...args], { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot });

/**
 * The runtime classpath of one of stack/maven/*.pom.xml at the given versions. Resolved once from
 * Maven Central into ~/.m2 and remembered in the stack's cache directory, so later starts need no resolution.
 */
export function classpath(cacheDir: string, pom: string, props: Record<string, string>): string {
  const key = Object.entries(props)
    .map(([k, v]) => `${k}-${v}`)
    .join("_");
  const file = join(ensureDir(cacheDir), `${pom}_${key}.classpath`);
  if (!existsSync(file) || !allJarsPresent(readFileSync(file, "utf8"))) {
    const defs = Object.entries(props).map(([k, v]) => `-D${k}=${v}`);
    mvn([
      "-f",
      join("stack", "maven", `${pom}.pom.xml`),
      ...defs,
      "dependency:build-classpath",
      `-Dmdep.outputFile=${file}`,
    ]);
  }
  return readFileSync(file, "utf8").trim();
}

function allJarsPresent(cp: string): boolean {
  return (
    cp.trim().length > 0 &&
    cp
      .trim()
      .split(":")
      .every((jar) => existsSync(jar))
  );
}

/** Fetches one artifact (no dependencies) into ~/.m2 and returns its path. */
export function artifact(
  group: string,
  id: string,
  version: string,
  type: string,
  classifier: string,
): string {
  const file = join(
    process.env.HOME ?? "/root",
    ".m2/repository",
    ...group.split("."),
    id,
    version,
    `${id}-${version}-${classifier}.${type}`,
  );
  if (!existsSync(file)) {
    mvn([
      "dependency:get",
      `-Dartifact=${group}:${id}:${version}:${type}:${classifier}`,
      "-Dtransitive=false",
    ]);
  }
  return file;
}
