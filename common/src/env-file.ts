// Preloaded by every command (`node --import ./common/src/env-file.ts`, see package.json): the
// settings in ./.env that the environment does not already set, as Node's --env-file and Bun do.
// Not --env-file-if-exists itself: Node 20 prints a notice on stdout when the file is missing, which
// would corrupt machine-read output such as `stack status --json`.
try {
  process.loadEnvFile(".env");
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
}
