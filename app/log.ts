// Log lines for operators. The framework only names a line's level; cmd/ decides what is printed and how
// (text or JSON, the level filter). Wall-clock time appears here for pacing log lines only, never in
// anything that feeds state, events or gas (D7).

/** Levels of the node's log lines, least to most severe. */
export const LogLevels = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LogLevels)[number];

/** Where the framework writes a line for operators; no level means info. */
export type LogSink = (line: string, level?: LogLevel) => void;

/** How long a long operation stays quiet before it reports its progress again. */
export const ProgressIntervalMs = 5_000;

/**
 * Progress of a long operation (genesis, replay, snapshot restore, export): `step` writes the line only
 * when ProgressIntervalMs have passed since the previous one, so a fast operation prints nothing but its
 * own start and end lines while a slow one shows it is alive and how far it got.
 */
export class Progress {
  private last: number;
  constructor(
    private readonly log: LogSink,
    private readonly intervalMs = ProgressIntervalMs,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** `line` is called only when the line is due (building it may cost something). */
  step(line: () => string): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    this.log(line(), "info");
  }
}
