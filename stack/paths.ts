import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../common/src/config.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Everything the stack writes lives here (git-ignored); STACK_HOME moves it, relative to the repo root. */
export const stackHome = resolve(repoRoot, loadConfig().STACK_HOME);
export const cacheDir = join(stackHome, "cache");
export const dataDir = join(stackHome, "data");
export const logDir = join(stackHome, "logs");
export const runDir = join(stackHome, "run");
export const confDir = join(repoRoot, "stack", "conf");

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
