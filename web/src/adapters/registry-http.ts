import {
  type Compatibility,
  RegistryUnavailableError,
  type SchemaRegistry,
  type SchemaVersion,
} from "../ports.ts";

/** How long one registry call may take before the page says the registry is not answering. */
const TIMEOUT_MS = 5_000;

/** The Confluent-compatible registry API over fetch. Schemas by id never change, so they are cached. */
export class HttpSchemaRegistry implements SchemaRegistry {
  private readonly byId = new Map<number, string>();

  constructor(private readonly baseUrl: string) {}

  private async get<T>(path: string): Promise<T | null> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/+$/, "")}${path}`, {
        headers: { Accept: "application/vnd.schemaregistry.v1+json, application/json" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new RegistryUnavailableError(
        `schema registry ${this.baseUrl} did not answer: ${(err as Error).message}`,
      );
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new RegistryUnavailableError(`schema registry: GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  async subjects(): Promise<string[]> {
    return ((await this.get<string[]>("/subjects")) ?? []).sort();
  }

  async versions(subject: string): Promise<number[]> {
    return ((await this.get<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`)) ?? []).sort(
      (a, b) => a - b,
    );
  }

  async version(subject: string, version: number): Promise<SchemaVersion | null> {
    const v = await this.get<{ subject: string; version: number; id: number; schema: string }>(
      `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
    );
    if (!v) return null;
    this.byId.set(v.id, v.schema);
    return { subject: v.subject, version: v.version, id: v.id, schema: v.schema };
  }

  async compatibility(subject: string): Promise<Compatibility> {
    const own = await this.get<{ compatibilityLevel?: string; compatibility?: string }>(
      `/config/${encodeURIComponent(subject)}`,
    );
    const ownLevel = own?.compatibilityLevel ?? own?.compatibility;
    if (ownLevel) return { level: ownLevel, scope: "subject" };
    const global = await this.get<{ compatibilityLevel?: string; compatibility?: string }>("/config");
    return { level: global?.compatibilityLevel ?? global?.compatibility ?? "BACKWARD", scope: "global" };
  }

  async schemaById(id: number): Promise<string | null> {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const s = await this.get<{ schema: string }>(`/schemas/ids/${id}`);
    if (s) this.byId.set(id, s.schema);
    return s?.schema ?? null;
  }
}
