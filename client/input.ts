// Reading secrets and mnemonics: from a TTY with a prompt and no echo, or else one line at a time from
// stdin (so scripts can pipe them: `printf '%s\n' "$MNEMONIC" "$PASS" | qoscli keys add k --recover`).

export interface Input {
  /** A line that may be secret (never echoed on a TTY). `prompt` goes to stderr on a TTY only. */
  readSecret(prompt: string): Promise<string>;
  /** A visible line (e.g. a mnemonic; on a TTY it is still not echoed, it is a secret too). */
  readLine(prompt: string): Promise<string>;
  readonly interactive: boolean;
}

/** Input from the process: TTY prompts without echo, or the lines of piped stdin in order. */
export class ProcessInput implements Input {
  private lines?: string[];
  readonly interactive = Boolean(process.stdin.isTTY);

  async readLine(prompt: string): Promise<string> {
    return this.readSecret(prompt);
  }

  async readSecret(prompt: string): Promise<string> {
    if (this.interactive) return readTtyHidden(prompt);
    if (!this.lines) this.lines = await readAllStdinLines();
    const line = this.lines.shift();
    if (line === undefined) throw new InputError(`expected another line on stdin for: ${prompt.replace(/:\s*$/, "")}`);
    return line;
  }
}

/** Fixed answers, for tests and programmatic use. */
export class ScriptedInput implements Input {
  readonly interactive = false;
  constructor(private readonly lines: string[]) {}
  async readLine(prompt: string): Promise<string> {
    return this.readSecret(prompt);
  }
  async readSecret(prompt: string): Promise<string> {
    const line = this.lines.shift();
    if (line === undefined) throw new InputError(`no input left for: ${prompt.replace(/:\s*$/, "")}`);
    return line;
  }
}

export class InputError extends Error {}

async function readAllStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function readTtyHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new InputError("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
