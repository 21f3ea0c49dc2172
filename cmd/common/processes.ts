// What every launcher of local nodes needs (tests, testnet, bench): CometBFT JSON-RPC calls, waiting for
// a height, and process groups (qosd and the CometBFT it supervises share one).

import net from "node:net";

// Ports for local nodes come from below the kernel's ephemeral range (Linux: 32768-60999). A port that
// listen(0) hands out is free only until some outbound connection takes it as its source port, and a
// testnet opens thousands of them (CometBFT peers dialling each other, every RPC fetch): a node then
// failed to start with "bind: address already in use" (CI, qcp-dishonest). Outbound connections never
// take a port below that range. The pick is random (this is test and tooling code, not state), so two
// processes allocating at once do not walk the same ports in step; a process never hands a port out twice.
export const LocalPortRange = { first: 20_000, last: 31_999 } as const;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A loopback TCP port below the ephemeral range that nothing listens on now and that this process has
 *  not handed out before. */
export async function freePort(): Promise<number> {
  const size = LocalPortRange.last - LocalPortRange.first + 1;
  for (let tries = 0; tries < size; tries++) {
    const port = LocalPortRange.first + Math.floor(Math.random() * size);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${LocalPortRange.first}-${LocalPortRange.last}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One JSON-RPC call to a CometBFT node (10 s at most); throws with the node's error message,
 *  prefixed by `label` (e.g. the node's name) when given. */
export async function rpcCall<T = any>(url: string, method: string, params: Record<string, unknown> = {}, label?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new Error(`${label ? `${label} ` : ""}${method}: ${body.error.message} ${body.error.data ?? ""}`);
  return body.result as T;
}

/**
 * The height the app has committed (`abci_info`), not CometBFT's `status` height: CometBFT stores a block
 * before the app executes and commits it, so a query at the `status` height can reach the app before that
 * height exists there (invalid height).
 */
export async function rpcHeight(url: string): Promise<number> {
  const info = await rpcCall<{ response: { last_block_height?: string } }>(url, "abci_info");
  return Number(info.response.last_block_height ?? "0");
}

/**
 * Polls until the node reports `height`. `died()` returns a reason when the process is gone (then it
 * throws at once); `describe()` adds context (e.g. the log's tail) to a failure.
 */
export async function waitForRpcHeight(
  url: string,
  height: number,
  timeoutMs: number,
  died: () => string | undefined,
  describe: () => string = () => "",
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = died();
    if (reason) throw new Error(`${reason}:\n${describe()}`);
    try {
      const h = await rpcHeight(url);
      if (h >= height) return h;
    } catch {
      // RPC not up yet
    }
    if (Date.now() > deadline) throw new Error(`height ${height} not reached in ${timeoutMs} ms at ${url}:\n${describe()}`);
    await sleep(100);
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(pgid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
