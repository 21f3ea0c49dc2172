// What every launcher of local nodes needs (tests, testnet, bench): CometBFT JSON-RPC calls, waiting for
// a height, and process groups (qosd and the CometBFT it supervises share one).

import net from "node:net";

/** A TCP port nothing listens on right now (loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
