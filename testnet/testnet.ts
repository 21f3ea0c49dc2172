// A local N-validator QOS network: one `qosd init` home per node (own keys, own ports on 127.0.0.1),
// one shared genesis, persistent_peers between all nodes, and one `qosd start` per node (qosd
// supervises its own CometBFT) as a detached process group. Used by `npm run testnet`
// (testnet/cli.ts) and by the multi-node end-to-end tests.
//
// The validator set is built the staking way (profile "qos"): every node has an owner key in the
// testnet's keyring (<dir>/keyring, qoscli test backend); each owner is funded in node0's genesis
// (`qosd add-genesis-account`); each validator node signs a gentx (`qosd gentx`) with node0's genesis
// copied to it first; node0 gathers them in config/gentx and runs `qosd collect-gentxs`; the final
// genesis goes to every node. Full nodes (no gentx) get the same genesis and can become validators
// later with a MsgCreateValidator from their owner. The business profile (no staking) keeps fixed
// validators in genesis.validators.
//
//   const net = await createTestnet({ validators: 4, accounts: [{ address, coins: "1000000uqos" }] });
//   await net.startAll();            // waits for the first block
//   net.nodes[2].rpcUrl              // http://127.0.0.1:<port>
//   const n = await net.addFullNode(); await n.start();   // a node that joins later (not in genesis)
//   await net.nodes[3].stop();       // SIGINT (clean stop); kill() = SIGKILL of the process group
//   await net.destroy();             // kills everything, removes the folder if it was a temp dir
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { cometbftBinary, repoRoot, setTomlValue } from "../cmd/common/cometbft.js";
import { freePort, groupAlive, killGroup, rpcCall, rpcHeight, sleep } from "../cmd/common/processes.js";
import { addGenesisAccount } from "../cmd/qosd/genesis-account.js";
import { Keyring } from "../client/keyring.js";

const execFileAsync = promisify(execFile);
export const qosdBin = join(repoRoot, "dist/cmd/qosd/main.js");
export const ManifestFile = "testnet.json";

/** Stake params of local networks: a stopped validator is inactive after 4 missed blocks (keep-alive
 *  window of 10, 7 to sign), closed 20 s (block time) later; unbonded coins return after 15 s. */
export const LocalStakeParams = { voting_status_len: 10, voting_status_least: 7, survival_secs: 20, unbonding_secs: 15 } as const;

export type StakeParamsOverride = Partial<Record<"max_validators" | "voting_status_len" | "voting_status_least" | "survival_secs" | "unbonding_secs", number>> &
  Partial<Record<"slash_fraction_double_sign" | "power_reduction" | "min_self_bond" | "max_commission_rate", string>>;

/** config/app.json state_backend of a node */
export type StateBackend = "memory" | "disk";

/** The state backend tests run nodes on when they do not choose one: QOS_TEST_STATE_BACKEND=memory|disk
 *  (CI can run any e2e file on the disk backend), else undefined (qosd's default). */
export function testStateBackend(): StateBackend | undefined {
  const env = process.env.QOS_TEST_STATE_BACKEND;
  if (env === undefined || env === "") return undefined;
  if (env !== "memory" && env !== "disk") throw new Error(`QOS_TEST_STATE_BACKEND must be "memory" or "disk", not ${JSON.stringify(env)}`);
  return env;
}

/** Writes state_backend into a node's config/app.json (undefined: leaves qosd's default). */
export function setStateBackend(home: string, backend: StateBackend | undefined): void {
  if (backend === undefined) return;
  const file = join(home, "config/app.json");
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), state_backend: backend }, null, 2) + "\n");
}

export interface TestnetOptions {
  /** root folder (one sub-folder per node); default: a fresh temporary folder that destroy() removes */
  dir?: string;
  /** number of validators (default 4) */
  validators?: number;
  /** number of full nodes (in genesis and the peer lists, no gentx; their owners are funded); default 0 */
  fullNodes?: number;
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
  /** voting power of every genesis validator (default 10): its owner's gentx bonds power × 1,000,000 uqos */
  power?: number;
  /** uqos every node's owner gets in genesis (default: the self-bond + 1,000 QOS) */
  ownerCoins?: bigint;
  /** app_state.stake.params of the genesis, over LocalStakeParams over the defaults */
  stakeParams?: StakeParamsOverride;
  /** "qos" (default: validators from gentxs) or "business" (no staking: fixed validators in genesis.validators) */
  profile?: "qos" | "business";
  /** extra environment for every qosd process (e.g. QOS_CHECK_INVARIANTS=1) */
  env?: Record<string, string>;
  cometbft?: string;
  /**
   * Changes node0's draft genesis in place before the gentxs are made and collected (profile qos; in
   * the business profile: before the genesis accounts are added), e.g. short gov periods or genesis
   * guardians. `nodes` know their owner addresses (profile qos).
   */
  genesisPatch?: (genesis: any, nodes: readonly NodeManifest[]) => void;
  /** state backend of every node, or of node i (validators first, then full nodes; missing entries and
   *  nodes added later: QOS_TEST_STATE_BACKEND, else qosd's default) */
  stateBackend?: StateBackend | readonly (StateBackend | undefined)[];
}

export interface NodeManifest {
  name: string;
  home: string;
  nodeId: string;
  /** consensus address (hex, as in CometBFT's /validators) */
  validatorAddress: string;
  /** consensus public key (base64 ed25519, config/priv_validator_key.json) */
  consensusPubkey: string;
  /** whether the node is a genesis validator (a full node may become one later through MsgCreateValidator) */
  genesisValidator: boolean;
  /** the owner key's name in the testnet keyring and its address (profile qos) */
  ownerKey?: string;
  owner?: string;
  rpc: string;
  p2p: string;
  proxyApp: string;
  /** other listen addresses rewritten in config/app.json, by JSON path */
  appListen: Record<string, string>;
  /** config/app.json state_backend (absent: qosd's default) */
  stateBackend?: StateBackend;
}

export interface TestnetManifest {
  chainId: string;
  env: Record<string, string>;
  nodes: NodeManifest[];
  /** qoscli keyring (test backend) of the node owners: --home <keyringHome> --keyring-backend test */
  keyringHome?: string;
  profile?: "qos" | "business";
  /** how nodes are made, for nodes added later */
  settings?: { basePort?: number; timeoutCommit: string; timeoutPropose?: string; minGasPrice: string; cometbft?: string };
}

export class TestnetNode {
  readonly name: string;
  readonly home: string;
  readonly nodeId: string;
  readonly rpcUrl: string;
  readonly manifest: NodeManifest;
  /** the owner's account (profile qos): it signed the node's gentx, or may create its validator later */
  readonly owner?: string;
  private child?: ChildProcess;
  private readonly env: Record<string, string>;

  constructor(manifest: NodeManifest, env: Record<string, string>) {
    this.manifest = manifest;
    this.name = manifest.name;
    this.home = manifest.home;
    this.nodeId = manifest.nodeId;
    this.rpcUrl = manifest.rpc.replace("tcp://", "http://");
    this.owner = manifest.owner;
    this.env = env;
  }

  /** the node's consensus public key (32 bytes ed25519), for MsgCreateValidator */
  get consensusPubkey(): Uint8Array {
    return new Uint8Array(Buffer.from(this.manifest.consensusPubkey, "base64"));
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
  async start(options: { timeoutMs?: number; detach?: boolean; args?: string[] } = {}): Promise<void> {
    if (this.running()) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const out = openSync(this.logFile, "a");
    const child = spawn(process.execPath, [qosdBin, "start", "--home", this.home, ...(options.args ?? [])], {
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

  /**
   * Waits until the qosd this object started exits by itself (e.g. at a software upgrade's height) and
   * its process group is gone; resolves with its exit code (null if killed by a signal).
   */
  async exited(timeoutMs = 60_000): Promise<number | null> {
    const child = this.child;
    if (!child) throw new Error(`${this.name}: no qosd started by this object`);
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name}: qosd still running after ${timeoutMs} ms:\n${this.logTail()}`)), timeoutMs);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await waitGroupGone(child.pid!, 10_000);
    if (groupAlive(child.pid!)) killGroup(child.pid!);
    const code = child.exitCode;
    this.forget();
    return code;
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

  /** kill -9 of qosd alone: its CometBFT loses the app and stops itself (SIGKILLed if still there after timeoutMs). */
  async killApp(timeoutMs = 15_000): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    await waitGroupGone(pid, timeoutMs);
    if (groupAlive(pid)) killGroup(pid);
    await waitGroupGone(pid, 10_000);
    this.forget();
  }

  /** pid of the CometBFT that this node's qosd supervises (the other process of its group), if running */
  cometbftPid(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    return groupMembers(pid).find((p) => p !== pid);
  }

  /** kill -9 of CometBFT alone: qosd sees it exit and stops (exit code 1); SIGKILL to the group after timeoutMs. */
  async killCometbft(timeoutMs = 20_000): Promise<void> {
    const pid = this.pid;
    const comet = this.cometbftPid();
    if (pid === undefined || comet === undefined) throw new Error(`${this.name}: no CometBFT running`);
    process.kill(comet, "SIGKILL");
    await waitGroupGone(pid, timeoutMs);
    if (groupAlive(pid)) killGroup(pid);
    await waitGroupGone(pid, 10_000);
    this.forget();
  }

  /** a signal to qosd and its CometBFT at once (SIGSTOP / SIGCONT pause and resume the node) */
  signalGroup(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`${this.name} is not running`);
    killGroup(pid, signal);
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

  rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return rpcCall<T>(this.rpcUrl, method, params, this.name);
  }

  height(): Promise<number> {
    return rpcHeight(this.rpcUrl);
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
  readonly keyringHome?: string;
  private readonly manifest: TestnetManifest;
  private readonly temporary: boolean;

  constructor(dir: string, manifest: TestnetManifest, temporary: boolean) {
    this.dir = dir;
    this.chainId = manifest.chainId;
    this.manifest = manifest;
    this.nodes = manifest.nodes.map((n) => new TestnetNode(n, manifest.env));
    this.keyringHome = manifest.keyringHome;
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

  /** The owner's secp256k1 private key of a node (from the testnet keyring, test backend). */
  async ownerPrivateKey(node: TestnetNode): Promise<Uint8Array> {
    if (!this.keyringHome || !node.manifest.ownerKey) throw new Error(`${node.name} has no owner key`);
    return (await ownerKeyring(this.keyringHome).secret(node.manifest.ownerKey)).privateKey;
  }

  /**
   * A new full node (not started): its own home, keys and ports, the chain's genesis (node0's file,
   * byte for byte), every existing node as persistent peer, an owner key in the keyring (not funded:
   * send it coins, then its MsgCreateValidator makes it a validator). Recorded in testnet.json.
   */
  async addFullNode(options: { stateBackend?: StateBackend } = {}): Promise<TestnetNode> {
    const settings = this.manifest.settings;
    if (!settings) throw new Error(`${this.dir}: testnet.json has no settings (made by an older version): recreate the testnet`);
    const index = this.nodes.length;
    const name = `node${index}`;
    const port = portAllocator(settings.basePort);
    const cometbft = cometbftBinary(settings.cometbft);
    const node = await initNode(this.dir, name, index, this.chainId, this.manifest.profile ?? "qos", settings, cometbft, port, options.stateBackend);
    writeFileSync(join(node.home, "config/genesis.json"), readFileSync(join(this.nodes[0].home, "config/genesis.json")));
    setPeers(node, this.nodes.map((n) => n.manifest), settings.timeoutPropose);
    if (this.keyringHome) {
      const { info } = await ownerKeyring(this.keyringHome).add(name);
      node.ownerKey = name;
      node.owner = info.address;
    }
    this.manifest.nodes.push(node);
    writeFileSync(join(this.dir, ManifestFile), JSON.stringify(this.manifest, null, 2) + "\n");
    const added = new TestnetNode(node, this.manifest.env);
    this.nodes.push(added);
    return added;
  }
}

/** Opens an existing testnet folder (its testnet.json), e.g. to start or stop it again. */
export function openTestnet(dir: string): Testnet {
  const manifest = JSON.parse(readFileSync(join(dir, ManifestFile), "utf8")) as TestnetManifest;
  return new Testnet(resolve(dir), manifest, false);
}

function ownerKeyring(home: string): Keyring {
  const noPassphrase = async () => {
    throw new Error("the testnet keyring uses the test backend: no passphrase");
  };
  return new Keyring(home, "test", { passphrase: noPassphrase, newPassphrase: noPassphrase });
}

const qosd = (...args: string[]) => execFileAsync(process.execPath, [qosdBin, ...args], { encoding: "utf8" });

/** `qosd init` of one node with its own ports; returns its manifest entry. */
async function initNode(
  dir: string, name: string, i: number, chainId: string, profile: "qos" | "business",
  settings: NonNullable<TestnetManifest["settings"]>, cometbft: string, port: (node: number, offset: number) => Promise<number>,
  stateBackend = testStateBackend(),
): Promise<NodeManifest> {
  const home = join(dir, name);
  const [p2p, rpc, abci, cometMetrics] = [await port(i, 6), await port(i, 7), await port(i, 8), await port(i, 5)];
  await qosd(
    "init", name, "--home", home, "--chain-id", chainId, "--profile", profile,
    "--rpc-laddr", `tcp://127.0.0.1:${rpc}`, "--p2p-laddr", `tcp://127.0.0.1:${p2p}`,
    "--proxy-app", `tcp://127.0.0.1:${abci}`, "--timeout-commit", settings.timeoutCommit,
    "--min-gas-price", settings.minGasPrice, "--cometbft", cometbft, "--local-network",
    "--cometbft-metrics", `127.0.0.1:${cometMetrics}`,
  );
  setStateBackend(home, stateBackend);
  const appListen = await rewriteAppListenAddresses(home, (k) => port(i, 9 + k));
  const nodeId = execFileSync(cometbft, ["show-node-id", "--home", home], { encoding: "utf8" }).trim();
  const key = JSON.parse(readFileSync(join(home, "config/priv_validator_key.json"), "utf8"));
  return {
    name, home, nodeId, validatorAddress: key.address as string, consensusPubkey: key.pub_key.value as string, genesisValidator: false,
    rpc: `tcp://127.0.0.1:${rpc}`, p2p: `127.0.0.1:${p2p}`, proxyApp: `tcp://127.0.0.1:${abci}`, appListen,
    ...(stateBackend !== undefined ? { stateBackend } : {}),
  };
}

/** [p2p] persistent_peers = the given nodes (and timeout_propose if set). */
function setPeers(node: NodeManifest, peers: NodeManifest[], timeoutPropose?: string): void {
  const file = join(node.home, "config/config.toml");
  let toml = readFileSync(file, "utf8");
  toml = setTomlValue(toml, "p2p", "persistent_peers", peers.filter((o) => o.name !== node.name).map((o) => `${o.nodeId}@${o.p2p}`).join(","));
  if (timeoutPropose) toml = setTomlValue(toml, "consensus", "timeout_propose", timeoutPropose);
  writeFileSync(file, toml);
}

/** Creates the homes and the shared genesis (nothing is started). */
export async function createTestnet(options: TestnetOptions = {}): Promise<Testnet> {
  const count = options.validators ?? 4;
  const fullNodes = options.fullNodes ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new Error(`validators must be a positive integer, not ${count}`);
  if (!Number.isInteger(fullNodes) || fullNodes < 0) throw new Error(`fullNodes must be a non-negative integer, not ${fullNodes}`);
  const chainId = options.chainId ?? "qos-testnet-1";
  const profile = options.profile ?? "qos";
  const power = options.power ?? 10;
  const temporary = options.dir === undefined;
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), "qos-testnet-")));
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, ManifestFile))) throw new Error(`${dir} already holds a testnet (${ManifestFile}): remove it first`);
  const cometbft = cometbftBinary(options.cometbft);
  const settings = {
    basePort: options.basePort, timeoutCommit: options.timeoutCommit ?? "500ms", timeoutPropose: options.timeoutPropose,
    minGasPrice: options.minGasPrice ?? "0.025uqos", cometbft: options.cometbft,
  };
  const port = portAllocator(options.basePort);
  const genesisFile = (n: NodeManifest) => join(n.home, "config/genesis.json");
  try {
    // 1. one home per node (validators first, then full nodes), each with its own keys and ports
    const nodes = await Promise.all(
      Array.from({ length: count + fullNodes }, async (_, i) => {
        const backend = typeof options.stateBackend === "string" ? options.stateBackend : options.stateBackend?.[i];
        const node = await initNode(dir, `node${i}`, i, chainId, profile, settings, cometbft, port, backend);
        node.genesisValidator = i < count;
        return node;
      }),
    );
    const validators = nodes.filter((n) => n.genesisValidator);
    const keyringHome = profile === "qos" ? join(dir, "keyring") : undefined;

    if (profile === "business") {
      // no staking: every validator is a fixed genesis validator of CometBFT
      const genesis = JSON.parse(readFileSync(genesisFile(nodes[0]), "utf8"));
      genesis.validators = validators.map((n) => {
        const key = JSON.parse(readFileSync(join(n.home, "config/priv_validator_key.json"), "utf8"));
        return { address: key.address, pub_key: key.pub_key, power: String(power), name: n.name };
      });
      options.genesisPatch?.(genesis, nodes);
      writeFileSync(genesisFile(nodes[0]), JSON.stringify(genesis, null, 2) + "\n");
      for (const account of options.accounts ?? []) addGenesisAccount(nodes[0].home, account.address, account.coins);
    } else {
      // 2. every node's owner: a key in the testnet keyring, funded in node0's genesis
      const keyring = ownerKeyring(keyringHome!);
      for (const n of nodes) {
        const { info } = await keyring.add(n.name);
        n.ownerKey = n.name;
        n.owner = info.address;
      }
      const selfBond = BigInt(power) * 1_000_000n;
      const ownerCoins = options.ownerCoins ?? selfBond + 1_000_000_000n;
      const genesis = JSON.parse(readFileSync(genesisFile(nodes[0]), "utf8"));
      genesis.validators = [];
      genesis.app_state.stake.params = { ...genesis.app_state.stake.params, ...LocalStakeParams, ...options.stakeParams };
      options.genesisPatch?.(genesis, nodes);
      writeFileSync(genesisFile(nodes[0]), JSON.stringify(genesis, null, 2) + "\n");
      for (const n of nodes) addGenesisAccount(nodes[0].home, n.owner!, `${ownerCoins}uqos`);
      for (const account of options.accounts ?? []) addGenesisAccount(nodes[0].home, account.address, account.coins);

      // 3. a gentx on every validator node, with node0's genesis (chain id, accounts) copied to it first
      const draft = readFileSync(genesisFile(nodes[0]));
      for (const n of validators.slice(1)) writeFileSync(genesisFile(n), draft);
      await Promise.all(
        validators.map((n) =>
          qosd("gentx", n.ownerKey!, `${selfBond}uqos`, "--home", n.home, "--keyring-home", keyringHome!, "--keyring-backend", "test", "--moniker", n.name),
        ),
      );
      // 4. node0 gathers them and collects
      const gentxDir = join(nodes[0].home, "config/gentx");
      mkdirSync(gentxDir, { recursive: true });
      for (const n of validators.slice(1)) {
        const dirOf = join(n.home, "config/gentx");
        for (const f of readdirSync(dirOf)) copyFileSync(join(dirOf, f), join(gentxDir, f));
      }
      await qosd("collect-gentxs", "--home", nodes[0].home);
    }

    // 5. the final genesis, byte for byte, on every node
    const shared = readFileSync(genesisFile(nodes[0]));
    for (const n of nodes.slice(1)) writeFileSync(genesisFile(n), shared);

    // 6. every node dials every other one
    for (const n of nodes) setPeers(n, nodes, options.timeoutPropose);

    const manifest: TestnetManifest = { chainId, env: options.env ?? {}, nodes, keyringHome, profile, settings };
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

export { freePort, sleep };

/** Process groups started attached (tests): SIGKILLed if this process exits without stopping them. */
const attached = new Set<number>();
let exitHook = false;
function killOnExit(pgid: number): void {
  if (!exitHook) process.once("exit", () => attached.forEach((pgid) => killGroup(pgid)));
  exitHook = true;
  attached.add(pgid);
}



/** pids of the processes in process group pgid (Linux /proc; elsewhere: none known) */
function groupMembers(pgid: number): number[] {
  if (!existsSync("/proc/self/stat")) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Whether process group pgid holds a process whose command line names home (Linux /proc; elsewhere: whether the group exists). */
function groupRuns(pgid: number, home: string): boolean {
  if (!groupAlive(pgid)) return false;
  if (!existsSync("/proc/self/stat")) return true;
  return groupMembers(pgid).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(home);
    } catch {
      return false; // exited meanwhile
    }
  });
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
}

