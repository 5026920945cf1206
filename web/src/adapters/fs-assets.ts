import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { contentTypeOf, type StaticAsset, type StaticAssets } from "../static-assets.ts";

const require = createRequire(import.meta.url);
const OWN_DIR = fileURLToPath(new URL("../../static/", import.meta.url));

// Vendored from the installed packages, never a CDN: the CSP allows scripts from 'self' only.
const VENDOR: Record<string, string> = {
  "htmx.min.js": "htmx.org/dist/htmx.min.js",
  "uPlot.iife.min.js": "uplot/dist/uPlot.iife.min.js",
  "uPlot.min.css": "uplot/dist/uPlot.min.css",
};

function asset(name: string, path: string): StaticAsset {
  const file = readFileSync(path);
  const body = new Uint8Array(
    file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer,
  );
  const etag = `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"`;
  return { body, contentType: contentTypeOf(name), etag };
}

export function loadStaticAssets(ownDir = OWN_DIR): StaticAssets {
  const out = new Map<string, StaticAsset>();
  for (const [name, spec] of Object.entries(VENDOR)) out.set(name, asset(name, require.resolve(spec)));
  for (const name of readdirSync(ownDir)) out.set(name, asset(name, join(ownDir, name)));
  return out;
}
