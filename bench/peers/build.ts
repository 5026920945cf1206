import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../../stack/paths.ts";

// The peers are built with Maven (Maven Central only) the first time `bun run bench --peers` needs
// them, and again only when a pom or a source under bench/peers changed: the hash of those files is
// kept beside the build output (target/, git-ignored).
export const peersDir = join(repoRoot, "bench", "peers");
const stampFile = join(peersDir, "target", "build.sha256");
const modules = ["common", "spark", "kafka-streams"] as const;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "target" ? [] : sources(path);
    return e.name === "pom.xml" || path.includes(`${join("src", "main")}`) ? [path] : [];
  });
}

function sourceHash(): string {
  const h = createHash("sha256");
  for (const f of sources(peersDir).sort())
    h.update(relative(peersDir, f)).update("\0").update(readFileSync(f));
  return h.digest("hex");
}

/** A module's jar and its runtime dependencies in ~/.m2; undefined when a file of it is missing. */
function classpathOf(module: string): string | undefined {
  const target = join(peersDir, module, "target");
  const cpFile = join(target, "classpath.txt");
  if (!existsSync(cpFile)) return undefined;
  const jar = readdirSync(target).find((f) => f.endsWith(".jar"));
  if (!jar) return undefined;
  const entries = [join(target, jar), ...readFileSync(cpFile, "utf8").trim().split(":").filter(Boolean)];
  return entries.every((e) => existsSync(e) && statSync(e).isFile()) ? entries.join(":") : undefined;
}

/** Builds the peers if their sources changed since the last build; the classpath of each. */
export function ensurePeersBuilt(): Record<"spark" | "kafka-streams", string> {
  const hash = sourceHash();
  const upToDate =
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === hash &&
    modules.every((m) => classpathOf(m) !== undefined);
  if (!upToDate) {
    console.log("  building bench/peers with Maven (mvn -q package)…");
    execFileSync("mvn", ["-q", "-B", "-f", join(peersDir, "pom.xml"), "package"], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    mkdirSync(join(peersDir, "target"), { recursive: true });
    writeFileSync(stampFile, hash);
  }
  const spark = classpathOf("spark");
  const streams = classpathOf("kafka-streams");
  if (!spark || !streams) throw new Error("bench/peers built, but a module's jar or classpath is missing");
  return { spark, "kafka-streams": streams };
}

/** A version pinned in bench/peers/pom.xml (spark.version, kafka.version). */
export function peerVersion(property: string): string {
  const m = new RegExp(`<${property}>([^<]+)</${property}>`).exec(
    readFileSync(join(peersDir, "pom.xml"), "utf8"),
  );
  if (!m?.[1]) throw new Error(`bench/peers/pom.xml has no ${property}`);
  return m[1];
}
