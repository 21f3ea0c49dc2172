// The two nodes under test, each in a fresh temporary home on free ports, in its own process group:
// qosd (which supervises CometBFT) and CometBFT with its built-in kvstore app. Both get the same
// CometBFT settings (BenchConfig), tuned for throughput on one node.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, setTomlValue } from "../cmd/common/cometbft.js";
import { readAppConfig, writeAppConfig } from "../cmd/qosd/home.js";
import { freePort, rpcCall, rpcHeight, sleep, waitForRpcHeight } from "../cmd/common/processes.js";

export const qosdBin = join(repoRoot, "dist/cmd/qosd/main.js");

export interface BenchConfig {
  timeoutCommit: string;
  mempoolSize: number;
  mempoolCacheSize: number;
  maxTxBytes: number;
  recheck: boolean;
  indexer: "kv" | "null";
  rpcMaxBatch: number;
  rpcMaxBodyBytes: number;
  /** CometBFT's pprof server (`rpc.pprof_laddr`, host:port) for --comet-profile; off when absent */
  pprofLaddr?: string;
  /** qosd's ABCI socket: TCP on loopback (qosd init's default) or a unix socket in the node's home */
  abci: "tcp" | "unix";
}

/** The CometBFT settings both nodes run with, as printed in the report. */
export function cometSettings(c: BenchConfig): Array<[string, string, string | number | boolean]> {
  return [
    ["consensus", "timeout_commit", c.timeoutCommit],
    ["mempool", "size", c.mempoolSize],
    ["mempool", "cache_size", c.mempoolCacheSize],
    ["mempool", "max_tx_bytes", c.maxTxBytes],
    ["mempool", "max_txs_bytes", 1073741824],
    ["mempool", "recheck", c.recheck],
    ["mempool", "broadcast", false],
    ["tx_index", "indexer", c.indexer],
    ["rpc", "max_request_batch_size", c.rpcMaxBatch],
    ["rpc", "max_body_bytes", c.rpcMaxBodyBytes],
    ["rpc", "max_open_connections", 0],
  ];
}

function pprofSetting(c: BenchConfig): Array<[string, string, string]> {
  return c.pprofLaddr ? [["rpc", "pprof_laddr", c.pprofLaddr]] : [];
}

function tuneConfig(home: string, c: BenchConfig): void {
  const file = join(home, "config/config.toml");
  let toml = readFileSync(file, "utf8");
  for (const [section, key, value] of [...cometSettings(c), ...pprofSetting(c)]) toml = setTomlValue(toml, section, key, value);
  writeFileSync(file, toml);
}

export { freePort };

export interface BlockLog {
  height: number;
  txs: number;
  finalizeMs: number;
  commitMs: number;
}

export class BenchNode {
  output = "";
  /** qosd's per-block timing lines, by height */
  readonly blocks = new Map<number, BlockLog>();
  verifier?: string;
  private child?: ChildProcess;

  constructor(
    readonly kind: "qos" | "kvstore",
    readonly home: string,
    readonly rpcUrl: string,
    /** the CometBFT binary this node runs (qosd supervises it; kvstore is it) */
    readonly cometbft: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** pids of the processes to account CPU to: qosd and its CometBFT child, or CometBFT alone */
  processes(): Record<string, number> {
    const pid = this.child?.pid;
    if (!pid) return {};
    if (this.kind === "kvstore") return { cometbft: pid };
    const out: Record<string, number> = { qosd: pid };
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      if (children[0]) out.cometbft = Number(children[0]);
    } catch {
      // not Linux
    }
    return out;
  }

  static async createQos(chainId: string, config: BenchConfig, minGasPrice: string, cometbft: string, indexEvents: readonly string[]): Promise<BenchNode> {
    const home = mkdtempSync(join(tmpdir(), "qos-bench-"));
    const [rpc, p2p] = [await freePort(), await freePort()];
    const proxyApp = config.abci === "unix" ? `unix://${join(home, "data/abci.sock")}` : `tcp://127.0.0.1:${await freePort()}`;
    // every listener on a free port (the defaults 9090, 1317, 8080, 26660/26661 would collide with a
    // second bench or a running node), and on, as qosd init sets them: their cost is part of a node's
    const local = async () => `127.0.0.1:${await freePort()}`;
    execFileSync(
      process.execPath,
      [
        qosdBin, "init", "bench", "--home", home, "--chain-id", chainId, "--cometbft", cometbft,
        "--rpc-laddr", `tcp://127.0.0.1:${rpc}`, "--p2p-laddr", `tcp://127.0.0.1:${p2p}`,
        "--proxy-app", proxyApp, "--timeout-commit", config.timeoutCommit,
        "--min-gas-price", minGasPrice,
        "--grpc-address", await local(), "--rest.address", await local(), "--explorer.address", await local(),
        "--metrics.address", await local(), "--cometbft-metrics", await local(),
      ],
      { stdio: "pipe" },
    );
    tuneConfig(home, config);
    writeAppConfig(home, { ...readAppConfig(home), index_events: [...indexEvents] });
    return new BenchNode("qos", home, `http://127.0.0.1:${rpc}`, cometbft);
  }

  static async createKvstore(config: BenchConfig, cometbft: string): Promise<BenchNode> {
    const home = mkdtempSync(join(tmpdir(), "kvstore-bench-"));
    const [rpc, p2p] = [await freePort(), await freePort()];
    execFileSync(cometbft, ["init", "--home", home], { stdio: "pipe" });
    const file = join(home, "config/config.toml");
    let toml = readFileSync(file, "utf8");
    toml = setTomlValue(toml, "", "proxy_app", "kvstore");
    toml = setTomlValue(toml, "rpc", "laddr", `tcp://127.0.0.1:${rpc}`);
    toml = setTomlValue(toml, "p2p", "laddr", `tcp://127.0.0.1:${p2p}`);
    writeFileSync(file, toml);
    tuneConfig(home, config);
    return new BenchNode("kvstore", home, `http://127.0.0.1:${rpc}`, cometbft);
  }

  /** Starts the node and waits for block `height`. `cpuProfileDir`: qosd runs with node --cpu-prof. */
  async start(options: { cpuProfileDir?: string; waitHeight?: number; timeoutMs?: number } = {}): Promise<void> {
    const env = { ...process.env };
    delete env.QOS_CHECK_INVARIANTS; // the invariant check walks all balances every block: not what we measure
    const nodeFlags = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const child =
      this.kind === "qos"
        ? spawn(process.execPath, [...nodeFlags, qosdBin, "start", "--home", this.home, "--cometbft", this.cometbft], { detached: true, stdio: ["ignore", "pipe", "pipe"], env })
        : spawn(this.cometbft, ["start", "--home", this.home, "--proxy_app=kvstore"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
    this.child = child;
    let pending = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      if (this.output.length < 200_000) this.output += text;
      if (this.kind !== "qos") return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) this.parseLine(line);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    await this.waitForHeight(options.waitHeight ?? 1, options.timeoutMs ?? 120_000);
  }

  private parseLine(line: string): void {
    const m = /committed height (\d+) txs (\d+) finalize_ms ([\d.]+) commit_ms ([\d.]+)/.exec(line);
    if (m) {
      const height = Number(m[1]);
      this.blocks.set(height, { height, txs: Number(m[2]), finalizeMs: Number(m[3]), commitMs: Number(m[4]) });
      return;
    }
    const v = /signature verifier: (.*)$/.exec(line);
    if (v) this.verifier = v[1].trim();
  }

  rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return rpcCall<T>(this.rpcUrl, method, params);
  }

  height(): Promise<number> {
    return rpcHeight(this.rpcUrl);
  }

  waitForHeight(height: number, timeoutMs = 30_000): Promise<number> {
    const child = this.child;
    return waitForRpcHeight(
      this.rpcUrl,
      height,
      timeoutMs,
      () => (child && child.exitCode !== null ? `${this.kind} node exited with code ${child.exitCode}` : undefined),
      () => this.output.slice(-3000),
    );
  }

  /** Graceful stop (qosd: SIGINT stops CometBFT, closes the DB, writes a CPU profile), then cleanup. */
  async destroy(keepHome = false): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(this.kind === "qos" ? "SIGINT" : "SIGTERM");
      await Promise.race([exited, sleep(30_000)]);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // group already gone
      }
    }
    if (!keepHome) rmSync(this.home, { recursive: true, force: true });
  }
}

/** utime+stime of a process in seconds (Linux /proc), or undefined. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Machine-wide busy and total jiffies from /proc/stat. */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export { sleep };
