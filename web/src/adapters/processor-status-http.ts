import { ProcessorStatusReadSchema } from "../../../common/src/contracts/processor-status.ts";
import type { ProcessorStatus, ProcessorStatusSource } from "../ports.ts";

/** GET /status of the processor (docs/internal-contracts.md); unreachable or malformed reads as null. */
export class HttpProcessorStatus implements ProcessorStatusSource {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 1500,
    private readonly onProblem?: (reason: string) => void,
  ) {}

  async status(): Promise<ProcessorStatus | null> {
    let body: unknown;
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) return null;
      body = await res.json();
    } catch {
      return null;
    }
    const parsed = ProcessorStatusReadSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      this.onProblem?.(`processor status does not match the contract: ${i?.path.join(".")}: ${i?.message}`);
      return null;
    }
    return parsed.data;
  }
}
