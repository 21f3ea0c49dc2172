// Runs a real single-validator node for end-to-end tests: `qosd init` + `qosd start` as child processes
// (qosd supervises the real CometBFT binary), on free ports, in a fresh temporary home. Every process
// runs in its own process group so teardown kills everything it started.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, setTomlValue } from "../../cmd/common/cometbft.js";
import { setStateBackend, testStateBackend, type StateBackend } from "../../testnet/testnet.js";
import { freePort, groupAlive, killGroup, rpcCall, rpcHeight, sleep, waitForRpcHeight } from "../../cmd/common/processes.js";

export const qosdBin = join(repoRoot, "dist/cmd/qosd/main.js");

export { freePort };

export function qosd(args: string[]): string {
  return execFileSync(process.execPath, [qosdBin, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface NodeOptions {
  chainId?: string;
  accounts?: Array<{ address: string; coins: string }>;
  minGasPrice?: string;
  timeoutCommit?: string;
  /** "qos" (default: staking, inflation) or "business" (no inflation: supplies stay exactly as given) */
  profile?: "qos" | "business";
  /** config/app.json state_backend; default QOS_TEST_STATE_BACKEND, else qosd's default */
  stateBackend?: StateBackend;
}

export class TestNode {
  readonly home: string;
  readonly chainId: string;
  rpcUrl = "";
  /** host:port of qosd's gRPC query server (a free port of its own) */
  grpcAddress = "";
  /** base URL of qosd's REST gateway (a free port of its own) */
  restUrl = "";
  /** base URL of the block explorer page qosd serves (a free port of its own) */
  explorerUrl = "";
  /** qosd's Prometheus endpoint and CometBFT's (free ports of their own) */
  metricsUrl = "";
  cometbftMetricsUrl = "";
  private process?: ChildProcess;
  output = "";
  private outputWatchers = new Set<() => void>();

  private constructor(home: string, chainId: string) {
    this.home = home;
    this.chainId = chainId;
  }

  static async create(options: NodeOptions = {}): Promise<TestNode> {
    const home = mkdtempSync(join(tmpdir(), "qos-e2e-"));
    const chainId = options.chainId ?? "qos-e2e-1";
    const [rpc, p2p, abci, grpc, rest, explorer] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const [metrics, cometMetrics] = [await freePort(), await freePort()];
    qosd([
      "init", "e2e", "--home", home, "--chain-id", chainId,
      "--rpc-laddr", `tcp://127.0.0.1:${rpc}`, "--p2p-laddr", `tcp://127.0.0.1:${p2p}`,
      "--proxy-app", `tcp://127.0.0.1:${abci}`, "--timeout-commit", options.timeoutCommit ?? "300ms",
      "--min-gas-price", options.minGasPrice ?? "0.025uqos", "--grpc-address", `127.0.0.1:${grpc}`,
      "--rest.address", `127.0.0.1:${rest}`, "--explorer.address", `127.0.0.1:${explorer}`, "--profile", options.profile ?? "qos",
      "--metrics.address", `127.0.0.1:${metrics}`, "--cometbft-metrics", `127.0.0.1:${cometMetrics}`,
    ]);
    setStateBackend(home, options.stateBackend ?? testStateBackend());
    for (const account of options.accounts ?? []) qosd(["add-genesis-account", account.address, account.coins, "--home", home]);
    const node = new TestNode(home, chainId);
    node.rpcUrl = `http://127.0.0.1:${rpc}`;
    node.grpcAddress = `127.0.0.1:${grpc}`;
    node.restUrl = `http://127.0.0.1:${rest}`;
    node.explorerUrl = `http://127.0.0.1:${explorer}`;
    node.metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    node.cometbftMetricsUrl = `http://127.0.0.1:${cometMetrics}/metrics`;
    return node;
  }

  /** Starts qosd (and through it CometBFT) and waits for a committed block. Free ports are picked before
   *  they are bound, so a parallel test can take one in between: then CometBFT (or the gRPC server)
   *  fails to listen and the node is started again on new ports. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (e) {
        const cometLog = existsSync(join(this.home, "cometbft.log")) ? readFileSync(join(this.home, "cometbft.log"), "utf8") : "";
        const collided = /address already in use|EADDRINUSE/.test(cometLog + this.output);
        if (collided && attempt < 4 && this.process?.exitCode !== null) {
          await this.movePorts();
          continue;
        }
        throw new Error(`${(e as Error).message}\n--- cometbft.log (tail)\n${cometLog.slice(-3000)}`);
      }
    }
  }

  /** New free ports for RPC, p2p, ABCI and gRPC in this node's config. */
  private async movePorts(): Promise<void> {
    const [rpc, p2p, abci, grpc, rest, explorer] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const [metrics, cometMetrics] = [await freePort(), await freePort()];
    const tomlFile = join(this.home, "config/config.toml");
    let toml = readFileSync(tomlFile, "utf8");
    toml = setTomlValue(toml, "", "proxy_app", `tcp://127.0.0.1:${abci}`);
    toml = setTomlValue(toml, "rpc", "laddr", `tcp://127.0.0.1:${rpc}`);
    toml = setTomlValue(toml, "p2p", "laddr", `tcp://127.0.0.1:${p2p}`);
    toml = setTomlValue(toml, "instrumentation", "prometheus_listen_addr", `127.0.0.1:${cometMetrics}`);
    writeFileSync(tomlFile, toml);
    const appFile = join(this.home, "config/app.json");
    const config = JSON.parse(readFileSync(appFile, "utf8"));
    writeFileSync(appFile, JSON.stringify({ ...config, grpc_address: `127.0.0.1:${grpc}`, rest_address: `127.0.0.1:${rest}`, explorer_address: `127.0.0.1:${explorer}`, metrics_address: `127.0.0.1:${metrics}` }, null, 2));
    this.metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    this.cometbftMetricsUrl = `http://127.0.0.1:${cometMetrics}/metrics`;
    this.rpcUrl = `http://127.0.0.1:${rpc}`;
    this.grpcAddress = `127.0.0.1:${grpc}`;
    this.restUrl = `http://127.0.0.1:${rest}`;
    this.explorerUrl = `http://127.0.0.1:${explorer}`;
  }

  private async startOnce(): Promise<void> {
    this.output = "";
    const child = spawn(process.execPath, [qosdBin, "start", "--home", this.home], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, QOS_CHECK_INVARIANTS: "1" },
    });
    const collect = (d: Buffer) => {
      this.output += d;
      for (const watcher of this.outputWatchers) watcher();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    this.process = child;
    // height 2: CometBFT reports a block as soon as it is stored, before the app has committed it
    await this.waitForHeight(2, 60_000);
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return rpcCall<T>(this.rpcUrl, method, params);
  }

  height(): Promise<number> {
    return rpcHeight(this.rpcUrl);
  }

  waitForHeight(height: number, timeoutMs = 30_000): Promise<number> {
    const child = this.process;
    return waitForRpcHeight(
      this.rpcUrl,
      height,
      timeoutMs,
      () => (child && child.exitCode !== null ? `qosd exited with code ${child.exitCode}` : undefined),
      () => this.output.slice(-3000),
    );
  }

  /** Resolves, in the same tick the output arrives, with the first match of `pattern` in what qosd writes
   *  from now on (e.g. to act right after a commit). */
  nextOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const from = this.output.length;
    return new Promise((resolve, reject) => {
      const done = () => {
        this.outputWatchers.delete(watcher);
        clearTimeout(timer);
      };
      const watcher = () => {
        const m = pattern.exec(this.output.slice(from));
        if (m) {
          done();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} in qosd's output within ${timeoutMs} ms:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      this.outputWatchers.add(watcher);
    });
  }

  /** The pid of the CometBFT process qosd started last. */
  get cometbftPid(): number {
    return Number(/CometBFT \S+ started \(pid (\d+)\)/.exec(this.output)![1]);
  }

  /** Resolves with qosd's exit code once it has exited. */
  exited(): Promise<number | null> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Ctrl-C: SIGINT to qosd, which stops CometBFT and closes the database. */
  async stop(): Promise<number | null> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    return exited;
  }

  /** kill -9 of the qosd process only; CometBFT then loses its ABCI connection and stops by itself. */
  async crashApp(): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    // CometBFT (same process group) must be gone before a restart can bind its ports.
    const deadline = Date.now() + 20_000;
    while (groupAlive(child.pid!) && Date.now() < deadline) await sleep(100);
    if (groupAlive(child.pid!)) killGroup(child.pid!);
  }

  async destroy(): Promise<void> {
    if (this.process?.pid) {
      killGroup(this.process.pid);
      const deadline = Date.now() + 10_000;
      while (groupAlive(this.process.pid) && Date.now() < deadline) await sleep(50);
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

export { sleep };

