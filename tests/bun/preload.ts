// bunfig.toml [test] preload: what every `bun test` file here needs before it is loaded, which the
// unit run (vitest) has by its own setup: Bun itself, and the app's logs at the level vitest runs them.
if (typeof Bun === "undefined") throw new Error("tests/bun runs under `bun test`");
process.env.LOG_LEVEL ??= "silent";
process.env.TZ ??= "UTC";
