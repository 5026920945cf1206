/**
 * The baseline the core is measured against: the same window semantics for one partition (epoch
 * aligned tumbling/hopping windows, watermark = max − L, late events dropped, windows finalized as
 * the watermark passes their end) written the obvious way, a Map of objects keyed by strings.
 */
export interface NaiveRow {
  start: number;
  group: string;
  key: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export class NaiveWindows {
  private readonly open = new Map<string, NaiveRow>();
  private maxTime = Number.NEGATIVE_INFINITY;
  /** End of the oldest window not yet final: the watermark that closes the next one. */
  private nextClose = Number.NEGATIVE_INFINITY;
  readonly finals: NaiveRow[] = [];
  late = 0;

  constructor(
    private readonly sizeMs: number,
    private readonly slideMs: number,
    private readonly latenessMs: number,
    private readonly groupBy: readonly string[],
  ) {}

  add(eventTime: number, record: Readonly<Record<string, string | number>>): void {
    const watermark = this.maxTime - this.latenessMs;
    const last = Math.floor(eventTime / this.slideMs) * this.slideMs;
    let added = false;
    for (let start = last; start > eventTime - this.sizeMs; start -= this.slideMs) {
      if (start + this.sizeMs <= watermark) continue;
      added = true;
      this.bump(start, "all", "*", record.age as number);
      for (const g of this.groupBy) this.bump(start, g, String(record[g]), record.age as number);
    }
    if (!added) this.late++;
    if (eventTime > this.maxTime) {
      this.maxTime = eventTime;
      const wm = eventTime - this.latenessMs;
      if (wm >= this.nextClose) this.finalize(wm);
    }
  }

  private bump(start: number, group: string, key: string, value: number): void {
    const id = `${start}|${group}|${key}`;
    let row = this.open.get(id);
    if (row === undefined) {
      row = {
        start,
        group,
        key,
        count: 0,
        sum: 0,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
      };
      this.open.set(id, row);
    }
    row.count++;
    row.sum += value;
    if (value < row.min) row.min = value;
    if (value > row.max) row.max = value;
  }

  private finalize(wm: number): void {
    this.nextClose = (Math.floor((wm - this.sizeMs) / this.slideMs) + 1) * this.slideMs + this.sizeMs;
    for (const [id, row] of this.open) {
      if (row.start + this.sizeMs <= wm) {
        this.finals.push(row);
        this.open.delete(id);
      }
    }
  }

  openCells(): number {
    return this.open.size;
  }
}
