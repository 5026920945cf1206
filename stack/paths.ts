import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../common/src/config.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const confDir = join(repoRoot, "stack", "conf");

/** Everything one stack writes (git-ignored); STACK_HOME moves it, relative to the repo root. */
export interface StackDirs {
  home: string;
  cache: string;
  data: string;
  logs: string;
  run: string;
}

export function stackDirs(config: Pick<Config, "STACK_HOME">): StackDirs {
  const home = resolve(repoRoot, config.STACK_HOME);
  return {
    home,
    cache: join(home, "cache"),
    data: join(home, "data"),
    logs: join(home, "logs"),
    run: join(home, "run"),
  };
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
