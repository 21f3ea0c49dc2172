// A local N-validator QOS network: one `qosd init` home per node (own keys, own ports on 127.0.0.1),
// one shared genesis holding every validator and the funded accounts, persistent_peers between all
// nodes, and one `qosd start` per node (qosd supervises its own CometBFT) as a detached process group.
// Used by `npm run testnet` (testnet/cli.ts) and by the multi-node end-to-end test.
//
//   const net = await createTestnet({ validators: 4, accounts: [{ address, coins: "1000000uqos" }] });
//   await net.startAll();            // waits for the first block
//   net.nodes[2].rpcUrl              // http://127.0.0.1:<port>
//   await net.nodes[3].stop();       // SIGINT (clean stop); kill() = SIGKILL of the process group
//   await net.destroy();             // kills everything, removes the folder if it was a temp dir
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { cometbftBinary, repoRoot, setTomlValue } from "../cmd/common/cometbft.js";
import { addGenesisAccount } from "../cmd/qosd/genesis-account.js";

const execFileAsync = promisify(execFile);
export const qosdBin = join(repoRoot, "dist/cmd/qosd/main.js");
export const ManifestFile = "testnet.json";

export interface TestnetOptions {
  /** root folder (one sub-folder per node); default: a fresh temporary folder that destroy() removes */
  dir?: string;
  /** number of validators (default 4) */
  validators?: number;
  chainId?: string;
  /** accounts funded in genesis */
  accounts?: Array<{ address: string; coins: string }>;
  /**
   * Fixed ports: node i uses basePort + 10·i + 6 (p2p), + 7 (RPC), + 8 (ABCI), + 9 and up (other
   * listen addresses found in config/app.json, e.g. gRPC). Default: free ports picked by the OS.
   */
  basePort?: number;
  /** CometBFT [consensus] timeout_commit (default 500ms) */
  timeoutCommit?: string;
  /** CometBFT [consensus] timeout_propose (CometBFT's default 3s; lower it so a stopped proposer costs less) */
  timeoutPropose?: string;
  minGasPrice?: string;
  /** voting power of every validator (default 10) */
  power?: number;
  /** extra environment for every qosd process (e.g. QOS_CHECK_INVARIANTS=1) */
  env?: Record<string, string>;
  cometbft?: string;
}

export interface NodeManifest {
  name: string;
  home: string;
  nodeId: string;
  validatorAddress: string;
  rpc: string;
  p2p: string;
  proxyApp: string;
  /** other listen addresses rewritten in config/app.json, by JSON path */
  appListen: Record<string, string>;
}

export interface TestnetManifest {
  chainId: string;
  env: Record<string, string>;
  nodes: NodeManifest[];
}

export class TestnetNode {
  readonly name: string;
  readonly home: string;
  readonly nodeId: string;
  readonly rpcUrl: string;
  readonly manifest: NodeManifest;
  private child?: ChildProcess;
  private readonly env: Record<string, string>;

  constructor(manifest: NodeManifest, env: Record<string, string>) {
    this.manifest = manifest;
    this.name = manifest.name;
    this.home = manifest.home;
    this.nodeId = manifest.nodeId;
    this.rpcUrl = manifest.rpc.replace("tcp://", "http://");
    this.env = env;
  }

  get pidFile(): string {
    return join(this.home, "qosd.pid");
  }
  get logFile(): string {
    return join(this.home, "qosd.log");
  }
  get cometLogFile(): string {
    return join(this.home, "cometbft.log");
  }

  /**
   * pid of qosd, which is also the id of the process group holding qosd and its CometBFT: the child
   * this object started, else the pid file's (kept only if that group still runs this node's home,
   * so a stale pid file never points a signal at someone else's process).
   */
  get pid(): number | undefined {
    if (this.child?.pid) return this.child.pid;
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return groupRuns(pid, this.home) ? pid : undefined;
  }

  running(): boolean {
    const pid = this.pid;
    return pid !== undefined && groupAlive(pid);
  }

  /**
   * Starts `qosd start` detached (its own process group; output appended to <home>/qosd.log) and
   * waits until CometBFT's RPC answers (the ABCI handshake is done by then). One validator of four
   * makes no block alone: wait for heights with waitForHeight once enough nodes run.
   */
  async start(options: { timeoutMs?: number; detach?: boolean } = {}): Promise<void> {
    if (this.running()) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const out = openSync(this.logFile, "a");
    const child = spawn(process.execPath, [qosdBin, "start", "--home", this.home], {
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, ...this.env },
    });
    closeSync(out);
    if (!child.pid) throw new Error(`could not start qosd for ${this.name}`);
    writeFileSync(this.pidFile, `${child.pid}\n`);
    this.child = child;
    if (options.detach) child.unref();
    else killOnExit(child.pid);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name}: qosd exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${this.logTail()}`);
      }
      try {
        await this.rpc("status");
        return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: RPC ${this.rpcUrl} not up in time:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  /** Clean stop (Ctrl-C): SIGINT to qosd, which stops CometBFT and closes its database; SIGKILL after timeoutMs. */
  async stop(timeoutMs = 20_000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    if (groupAlive(pid)) {
      try {
        process.kill(pid, "SIGINT");
      } catch {
        // qosd itself is gone; its group may still hold CometBFT
      }
      await waitGroupGone(pid, timeoutMs);
      if (groupAlive(pid)) await this.kill();
    }
    this.forget();
  }

  /** kill -9 of the whole process group (qosd and its CometBFT). */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    killGroup(pid);
    await waitGroupGone(pid, 10_000);
    this.forget();
  }

  private forget(): void {
    if (this.child?.pid) attached.delete(this.child.pid);
    this.child = undefined;
    rmSync(this.pidFile, { force: true });
  }

  logTail(chars = 3000): string {
    const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").slice(-chars) : "");
    return `--- ${this.logFile}\n${read(this.logFile)}\n--- ${this.cometLogFile}\n${read(this.cometLogFile)}`;
  }

  async rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
    if (body.error) throw new Error(`${this.name} ${method}: ${body.error.message} ${body.error.data ?? ""}`);
    return body.result as T;
  }

  async height(): Promise<number> {
    const status = await this.rpc<{ sync_info: { latest_block_height: string } }>("status");
    return Number(status.sync_info.latest_block_height);
  }

  async waitForHeight(height: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = this.child;
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        throw new Error(`${this.name}: qosd exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${this.logTail()}`);
      }
      const h = await this.height().catch(() => -1);
      if (h >= height) return h;
      if (Date.now() > deadline) throw new Error(`${this.name}: height ${height} not reached in ${timeoutMs} ms (at ${h}):\n${this.logTail()}`);
      await sleep(100);
    }
  }
}

export class Testnet {
  readonly dir: string;
  readonly chainId: string;
  readonly nodes: TestnetNode[];
  private readonly temporary: boolean;

  constructor(dir: string, manifest: TestnetManifest, temporary: boolean) {
    this.dir = dir;
    this.chainId = manifest.chainId;
    this.nodes = manifest.nodes.map((n) => new TestnetNode(n, manifest.env));
    this.temporary = temporary;
  }

  /** Starts every node that is not running, then waits for a block committed after the start. */
  async startAll(options: { detach?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !n.running()).map((n) => n.start(options)));
    const h = Math.max(...(await Promise.all(this.nodes.map((n) => n.height()))));
    await Promise.all(this.nodes.map((n) => n.waitForHeight(h + 1, options.timeoutMs ?? 60_000)));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }

  /** Kills every node; removes the folder when createTestnet made it in the temp dir. */
  async destroy(): Promise<void> {
    await this.killAll();
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Opens an existing testnet folder (its testnet.json), e.g. to start or stop it again. */
export function openTestnet(dir: string): Testnet {
  const manifest = JSON.parse(readFileSync(join(dir, ManifestFile), "utf8")) as TestnetManifest;
  return new Testnet(resolve(dir), manifest, false);
}

/** Creates the homes and the shared genesis (nothing is started). */
export async function createTestnet(options: TestnetOptions = {}): Promise<Testnet> {
  const count = options.validators ?? 4;
  if (!Number.isInteger(count) || count < 1) throw new Error(`validators must be a positive integer, not ${count}`);
  const chainId = options.chainId ?? "qos-testnet-1";
  const temporary = options.dir === undefined;
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), "qos-testnet-")));
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, ManifestFile))) throw new Error(`${dir} already holds a testnet (${ManifestFile}): remove it first`);
  const cometbft = cometbftBinary(options.cometbft);
  const port = portAllocator(options.basePort);
  try {
    // 1. one home per node, each with its own keys and ports
    const nodes: NodeManifest[] = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const name = `node${i}`;
        const home = join(dir, name);
        const [p2p, rpc, abci] = [await port(i, 6), await port(i, 7), await port(i, 8)];
        await execFileAsync(process.execPath, [
          qosdBin, "init", name, "--home", home, "--chain-id", chainId,
          "--rpc-laddr", `tcp://127.0.0.1:${rpc}`, "--p2p-laddr", `tcp://127.0.0.1:${p2p}`,
          "--proxy-app", `tcp://127.0.0.1:${abci}`, "--timeout-commit", options.timeoutCommit ?? "500ms",
          "--min-gas-price", options.minGasPrice ?? "0.025uqos", "--cometbft", cometbft,
        ]);
        const appListen = await rewriteAppListenAddresses(home, (k) => port(i, 9 + k));
        const nodeId = execFileSync(cometbft, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
        const key = JSON.parse(readFileSync(join(home, "config/priv_validator_key.json"), "utf8"));
        return {
          name, home, nodeId, validatorAddress: key.address as string,
          rpc: `tcp://127.0.0.1:${rpc}`, p2p: `127.0.0.1:${p2p}`, proxyApp: `tcp://127.0.0.1:${abci}`, appListen,
        };
      }),
    );

    // 2. one genesis: node0's (chain id, time, consensus params, QOS app_state) with every validator and the accounts
    const genesisFile = (home: string) => join(home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(genesisFile(nodes[0].home), "utf8"));
    genesis.validators = nodes.map((n) => {
      const key = JSON.parse(readFileSync(join(n.home, "config/priv_validator_key.json"), "utf8"));
      return { address: key.address, pub_key: key.pub_key, power: String(options.power ?? 10), name: n.name };
    });
    writeFileSync(genesisFile(nodes[0].home), JSON.stringify(genesis, null, 2) + "\n");
    for (const account of options.accounts ?? []) addGenesisAccount(nodes[0].home, account.address, account.coins);
    const shared = readFileSync(genesisFile(nodes[0].home));
    for (const n of nodes.slice(1)) writeFileSync(genesisFile(n.home), shared);

    // 3. every node dials every other one
    for (const n of nodes) {
      const file = join(n.home, "config/config.toml");
      let toml = readFileSync(file, "utf8");
      const peers = nodes.filter((o) => o !== n).map((o) => `${o.nodeId}@${o.p2p}`).join(",");
      toml = setTomlValue(toml, "p2p", "persistent_peers", peers);
      if (options.timeoutPropose) toml = setTomlValue(toml, "consensus", "timeout_propose", options.timeoutPropose);
      writeFileSync(file, toml);
    }

    const manifest: TestnetManifest = { chainId, env: options.env ?? {}, nodes };
    writeFileSync(join(dir, ManifestFile), JSON.stringify(manifest, null, 2) + "\n");
    return new Testnet(dir, manifest, temporary);
  } catch (e) {
    if (temporary) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * config/app.json may hold listen addresses of qosd's own servers (gRPC, metrics, ...): every value
 * shaped like `host:port` or `tcp://host:port` gets a port of its own so the nodes do not collide.
 */
async function rewriteAppListenAddresses(home: string, port: (k: number) => Promise<number>): Promise<Record<string, string>> {
  const file = join(home, "config/app.json");
  if (!existsSync(file)) return {};
  const config = JSON.parse(readFileSync(file, "utf8"));
  const found: Record<string, string> = {};
  let k = 0;
  const walk = async (obj: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(obj)) {
      if (typeof value === "string") {
        const m = /^((?:[a-z]+:\/\/)?[\w.\-\[\]:]*?):(\d{1,5})$/.exec(value);
        if (m) {
          obj[key] = `${m[1]}:${await port(k++)}`;
          found[path + key] = obj[key] as string;
        }
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        await walk(value as Record<string, unknown>, `${path}${key}.`);
      }
    }
  };
  await walk(config, "");
  if (k > 0) writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  return found;
}

function portAllocator(basePort?: number): (node: number, offset: number) => Promise<number> {
  const taken = new Set<number>();
  return async (node, offset) => {
    if (basePort !== undefined) return basePort + 10 * node + offset;
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
}

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

/** Process groups started attached (tests): SIGKILLed if this process exits without stopping them. */
const attached = new Set<number>();
let exitHook = false;
function killOnExit(pgid: number): void {
  if (!exitHook) process.once("exit", () => attached.forEach(killGroup));
  exitHook = true;
  attached.add(pgid);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Whether process group pgid holds a process whose command line names home (Linux /proc; elsewhere: whether the group exists). */
function groupRuns(pgid: number, home: string): boolean {
  if (!groupAlive(pgid)) return false;
  if (!existsSync("/proc/self/stat")) return true;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== pgid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(home)) return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
