import cliProgress from "cli-progress";
import type { IngestStats } from "./ingestor.ts";

// Progress of a run: a cli-progress bar on a terminal, a plain line every few seconds otherwise (logs, CI).
export interface ProgressView {
  stop(final: IngestStats): void;
}

export interface ProgressOptions {
  label: string;
  /** The bar's 100 %: bytes of a fixture, a --count; null when open-ended (a count, no bar). */
  total: number | null;
  /** Where the bar stands now (bytes read, records offered). */
  position: () => number;
  stats: () => IngestStats;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
}

export function summaryLine(label: string, s: IngestStats): string {
  return (
    `${label}: sent ${s.sent}, rejected ${s.rejected}, failed ${s.failed}, ` +
    `elapsed ${(s.elapsedMs / 1000).toFixed(2)} s, ${Math.round(s.eventsPerSec)} events/s`
  );
}

export function startProgress(opts: ProgressOptions): ProgressView {
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        // An open-ended run has no 100 %: it shows how many records it offered instead of a bar.
        format:
          opts.total === null
            ? `${opts.label} {value} offered | sent {sent} rejected {rejected} failed {failed} | {rate} ev/s`
            : `${opts.label} [{bar}] {percentage}% | sent {sent} rejected {rejected} failed {failed} | {rate} ev/s`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = () => {
      const s = opts.stats();
      return { sent: s.sent, rejected: s.rejected, failed: s.failed, rate: Math.round(s.eventsPerSec) };
    };
    bar.start(opts.total ?? 0, 0, payload());
    const timer = setInterval(() => bar.update(opts.position(), payload()), opts.intervalMs ?? 200);
    return {
      stop() {
        clearInterval(timer);
        bar.update(opts.total ?? opts.position(), payload());
        bar.stop();
      },
    };
  }
  const timer = setInterval(
    () => stream.write(`${summaryLine(opts.label, opts.stats())}\n`),
    opts.intervalMs ?? 5000,
  );
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
