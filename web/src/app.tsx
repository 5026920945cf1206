import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./app-deps.ts";
import { UnavailablePage } from "./pages/unavailable.tsx";
import { KafkaUnavailableError, RegistryUnavailableError, StoreUnavailableError } from "./ports.ts";
import { hostOf, misdirected } from "./request-guard.ts";
import { apiRoutes } from "./routes/api.tsx";
import { browseRoutes } from "./routes/browse.tsx";
import { deadLetterRoutes } from "./routes/dead-letters.tsx";
import { liveRoutes } from "./routes/live.ts";
import { pageRoutes } from "./routes/pages.tsx";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The whole web tier as a web-standard Hono app: runs on Node, Bun or an edge runtime. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const startedAt = Date.now();

  app.use("*", async (c, next) => {
    const end = deps.metrics.httpDuration.startTimer();
    await next();
    end({ method: c.req.method, route: routePath(c), status: String(c.res.status) });
  });

  // Before anything reads data: a name this server is not known by is a DNS-rebinding page (or a
  // misrouted request). Probes and scrapers address the server by IP, and neither answer carries user
  // data, so /healthz and /metrics answer whatever the Host.
  app.use("*", async (c, next) => {
    if (c.req.path === "/healthz" || c.req.path === "/metrics") return next();
    const host = hostOf(c.req);
    if (deps.guard.hostAllowed(host)) return next();
    deps.metrics.refused.labels("host").inc();
    const error = misdirected(host);
    return c.req.path.startsWith("/api/") ? c.json({ error }, 421) : c.text(error, 421);
  });

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Portraits are remote URLs from the source data; they are images, never scripts.
        imgSrc: ["'self'", "https:", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "same-origin",
    }),
  );

  // Nothing changes state without the admin token; with no token configured nothing changes state at all.
  const admin = deps.adminToken ? bearerAuth({ token: deps.adminToken }) : null;
  app.use("*", async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (!admin)
      return c.json({ error: "state-changing requests are disabled: WEB_ADMIN_TOKEN is not set" }, 403);
    return admin(c, next);
  });

  app.get("/healthz", (c) =>
    c.json({ status: "ok", uptimeSec: Math.round((Date.now() - startedAt) / 1000) }),
  );

  app.get("/metrics", async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { "Content-Type": deps.metrics.registry.contentType });
  });

  app.get("/static/:name", (c) => {
    const asset = deps.assets.get(c.req.param("name"));
    if (!asset) return c.text("not found", 404);
    const headers = {
      "Content-Type": asset.contentType,
      ETag: asset.etag,
      "Cache-Control": "public, max-age=300",
    };
    if (c.req.header("If-None-Match") === asset.etag) return c.body(null, 304, headers);
    return c.body(asset.body, 200, headers);
  });

  app.route("/api", liveRoutes(deps));
  app.route("/api", apiRoutes(deps));
  const deadLetters = deadLetterRoutes(deps);
  app.route("/api", deadLetters.api);
  app.route("/", deadLetters.pages);
  const browse = browseRoutes(deps);
  app.route("/api", browse.api);
  app.route("/", browse.pages);
  app.route("/", pageRoutes(deps));

  app.notFound((c) =>
    c.req.path.startsWith("/api/") ? c.json({ error: "not found" }, 404) : c.text("not found", 404),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof KafkaUnavailableError || err instanceof RegistryUnavailableError) {
      c.header("Retry-After", "5");
      return c.req.path.startsWith("/api/")
        ? c.json({ error: err.message }, 503)
        : c.html(
            `<!doctype html>${String(<UnavailablePage reason={err.message} what={err instanceof KafkaUnavailableError ? "Kafka" : "registry"} />)}`,
            503,
          );
    }
    if (err instanceof StoreUnavailableError) {
      c.header("Retry-After", "5");
      return c.req.path.startsWith("/api/")
        ? c.json({ error: err.message }, 503)
        : c.html(`<!doctype html>${String(<UnavailablePage reason={err.message} />)}`, 503);
    }
    deps.logger.error({ err, path: c.req.path }, "request failed");
    return c.req.path.startsWith("/api/")
      ? c.json({ error: "internal error" }, 500)
      : c.text("internal error: the page could not be built; see the server log", 500);
  });

  return app;
}
