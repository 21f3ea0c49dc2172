// qosd's log: levels (--log-level) and two formats (--log-format). Text is what a person reads on a
// terminal ("qosd: <message>"); JSON is one object per line for log collectors, always with the keys
// ts, level, component and msg, plus the fields of that kind of line (height, txs, ...).
import { LogLevels, type LogLevel, type LogSink } from "../../app/log.js";

export const LogFormats = ["text", "json"] as const;
export type LogFormat = (typeof LogFormats)[number];

/** Extra values of a line: named once per kind of line so collectors can index them. */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** the same logger as the framework's sink (app/log.ts): a line without a level is info */
  sink(component?: string): LogSink;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** the part of the node the lines come from (JSON key `component`) */
  component?: string;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const threshold = LogLevels.indexOf(level);
  if (threshold < 0) throw new Error(`log level must be one of ${LogLevels.join(", ")}, not ${JSON.stringify(level)}`);
  if (!LogFormats.includes(format)) throw new Error(`log format must be one of ${LogFormats.join(", ")}, not ${JSON.stringify(format)}`);
  const enabled = (l: LogLevel) => LogLevels.indexOf(l) >= threshold;
  const emit = (l: LogLevel, msg: string, fields: LogFields | undefined, component: string) => {
    if (!enabled(l)) return;
    if (format === "json") {
      const entry: Record<string, unknown> = { ts: now().toISOString(), level: l, component, msg };
      for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined && !(key in entry)) entry[key] = value;
      write(JSON.stringify(entry) + "\n");
    } else {
      // info keeps the lines people and scripts already read; other levels say theirs
      write(`qosd: ${l === "info" ? "" : `${l.toUpperCase()} `}${msg}\n`);
    }
  };
  const base = options.component ?? "qosd";
  return {
    level,
    enabled,
    log: (l, msg, fields) => emit(l, msg, fields, base),
    debug: (msg, fields) => emit("debug", msg, fields, base),
    info: (msg, fields) => emit("info", msg, fields, base),
    warn: (msg, fields) => emit("warn", msg, fields, base),
    error: (msg, fields) => emit("error", msg, fields, base),
    sink: (component = base) => (line, l = "info") => emit(l, line, undefined, component),
  };
}
