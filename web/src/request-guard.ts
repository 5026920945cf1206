// DNS rebinding: a page of evil.example re-points its name at 127.0.0.1 and then reads this server as
// its own origin: Host and Origin are then both evil.example. So requests are served only under a host
// name this server is known by (a 421 otherwise), and live streams opened by a page only from an origin
// that is that host itself or listed (a 403 otherwise).

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
/** Listening addresses that are not names a client uses. */
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]"]);

export interface GuardSettings {
  WEB_HOST: string;
  /** Comma-separated; empty: the loopback names and WEB_HOST. */
  WEB_ALLOWED_HOSTS: string;
  /** Comma-separated origins besides the server's own. */
  WEB_ALLOWED_ORIGINS: string;
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");

/** An IPv6 address as it appears in a Host header: in brackets. */
const bracketed = (host: string) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);

/** The hostname of a Host header value (port dropped, lower case), or null when it is not one. */
export function hostnameOf(hostHeader: string): string | null {
  if (hostHeader === "" || /[\s/?#@\\]/.test(hostHeader)) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export class RequestGuard {
  /** Exact names, ".example.com" (that domain and its subdomains), or "*" (any). */
  readonly hosts: readonly string[];
  readonly origins: ReadonlySet<string>;

  constructor(settings: GuardSettings) {
    const configured = list(settings.WEB_ALLOWED_HOSTS);
    const own = settings.WEB_HOST.trim().toLowerCase();
    this.hosts =
      configured.length > 0
        ? configured.map(bracketed)
        : [...LOOPBACK_NAMES, ...(own === "" || WILDCARD_ADDRESSES.has(own) ? [] : [bracketed(own)])];
    this.origins = new Set(list(settings.WEB_ALLOWED_ORIGINS).map((o) => o.replace(/\/+$/, "")));
  }

  /** Whether a request with this Host header is addressed to this server. */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const name = hostnameOf(hostHeader);
    if (name === null) return false;
    return this.hosts.some(
      (h) => h === "*" || h === name || (h.startsWith(".") && (name === h.slice(1) || name.endsWith(h))),
    );
  }

  /**
   * Whether a live stream may be opened for a page of `origin` (the Origin header; absent for clients
   * that are not pages, and for same-origin EventSource): the server's own origin under an allowed host,
   * or one WEB_ALLOWED_ORIGINS lists. `null` (sandboxed frames, file: pages) and malformed ones are foreign.
   */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    if (this.origins.has(url.origin.toLowerCase())) return true;
    return hostHeader !== undefined && url.host === hostHeader.toLowerCase() && this.hostAllowed(hostHeader);
  }
}

/** The Host a request was sent with (a request built without one, as in tests, has its URL's). */
export function hostOf(req: { header(name: string): string | undefined; url: string }): string {
  return req.header("Host") ?? new URL(req.url).host;
}

/** What a refused request is told: the Host header as received, cut short (it is the client's own text). */
export function misdirected(hostHeader: string | undefined): string {
  const shown = hostHeader === undefined ? "(none)" : JSON.stringify(hostHeader.slice(0, 100));
  return `misdirected request: this server does not answer for host ${shown} (WEB_ALLOWED_HOSTS)`;
}

export function foreignOrigin(origin: string): string {
  return `origin ${JSON.stringify(origin.slice(0, 200))} may not open live streams here (WEB_ALLOWED_ORIGINS)`;
}
