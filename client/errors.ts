// A user-facing failure: what was wrong and what to do. main.ts prints "Error: <message>" on stderr
// and exits with a non-zero code; no stack trace.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
