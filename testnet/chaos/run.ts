// The chaos run (issue 14 part 4): a local network of `validators` validators and one full node, each a
// `qosd start` supervising its CometBFT, under continuous mixed load, with faults drawn from a seed.
// See docs/chaos.md for the fault rules and how to read the report.
//
// Two fault lanes run side by side. The validator lane hits one validator at a time and waits until the
// network has recovered before the next fault, so at most one validator (a quarter of the power, with
// equal powers) is ever down or paused: the other three keep more than 2/3 live, except during an upgrade,
// where every node stops at the upgrade height by design. The full-node lane hits the full node on its
// own schedule, overlapping the validator lane's faults.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { toBase64 } from "@cosmjs/encoding";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { newCaKeyPair } from "../../app/certificate.js";
import { parseAccAddress } from "../../app/address.js";
import { Method } from "../../gen/names.js";
import { QueryUpgradeRequest, QueryUpgradeResponse } from "../../gen/qos/gov/v1/query.js";
import { VoteOption } from "../../gen/qos/gov/v1/types.js";
import { toValAddress } from "../../modules/stake/keeper.js";
import { Rng } from "../../sim/rng.js";
import { qscCertificate } from "../../test/helpers/qsc.js";
import { testAccount, type TestAccount } from "../../test/helpers/wallet.js";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { createTestnet, sleep, type Testnet, type TestnetNode } from "../testnet.js";
import { ChainWatcher, appHeight, quickRpc } from "./watcher.js";
import { Sender, msgs, runLoadSender, txEvents, type LoadContext, type LoadWorld, type TxRecord } from "./load.js";
import { FaultKinds, countTxs, percentile, summary, type ChaosReport, type FaultKind, type FaultRecord, type LostTx } from "./report.js";

export interface ChaosOptions {
  seed: string;
  /** how long faults are injected (the run's setup and final checks come on top) */
  minutes: number;
  validators?: number;
  /** folder for the report, the tx list and (while running, or with keep) the network */
  out?: string;
  /** load senders (accounts signing txs concurrently); default 8 */
  senders?: number;
  /** ms a fault's recovery may take after it is lifted before liveness counts as failed; default 90 s */
  recoveryBoundMs?: number;
  /** keep the network's folder (logs, data) even when the run passed */
  keep?: boolean;
  /** leave the network running and return it (tests check the chain afterwards, then destroy it) */
  keepRunning?: boolean;
  log?: (line: string) => void;
}

export const ChainId = "qos-chaos-1";
const QOS = 1_000_000n;
const Deposit = 10n * QOS;
const VotingSecs = 8;
const GovLevel = {
  min_deposit: String(Deposit), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: VotingSecs,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};
const QscName = "CHAOS";
const QscPerHolder = 1_000_000_000n;
/** voting power of each genesis validator: large beside the load's delegations, so powers stay near equal */
const Power = 100;
/** the lines in a node's logs that mean something broke */
const LogProblem = /CONSENSUS FAILURE|wrong Block\.Header\.AppHash|does not match AppHash|invariant|panic/i;
/** a consensus failure because the app's socket died mid-block: what a kill of qosd causes, not a disagreement */
const AppGone = /CONSENSUS FAILURE.*(connection reset by peer|EOF|broken pipe|connection refused|use of closed network connection)/;

type NodeState = "up" | "down" | "paused";

export async function runChaos(options: ChaosOptions): Promise<{ report: ChaosReport; net?: Testnet }> {
  const chaos = new Chaos(options);
  return chaos.run();
}

class Chaos {
  private readonly rng: Rng;
  private readonly out: string;
  private readonly log: (line: string) => void;
  private readonly boundMs: number;
  private readonly t0 = Date.now();
  private net!: Testnet;
  private watcher!: ChainWatcher;
  private readonly state = new Map<string, NodeState>();
  private readonly records: TxRecord[] = [];
  private readonly faults: FaultRecord[] = [];
  private readonly unexpectedExits: ChaosReport["unexpectedExits"] = [];
  private readonly upgradesDone: string[] = [];
  private readonly portRetries: string[] = [];
  /** while true, the full-node lane starts nothing (an upgrade stops every node) */
  private exclusive = false;
  private fullLaneBusy = false;
  private stopFaults = false;
  private stopLoad = false;

  constructor(private readonly options: ChaosOptions) {
    this.rng = new Rng(`chaos:${options.seed}`);
    this.out = resolve(options.out ?? join("chaos-out", `seed-${options.seed}`));
    this.boundMs = options.recoveryBoundMs ?? 90_000;
    this.log = options.log ?? ((line) => console.error(`[${((Date.now() - this.t0) / 1000).toFixed(1)}s] ${line}`));
  }

  private clock = (): number => Date.now() - this.t0;
  private available = (node: TestnetNode): boolean => this.state.get(node.name) === "up";
  private get validators(): TestnetNode[] {
    return this.net.nodes.filter((n) => n.manifest.genesisValidator);
  }
  private get fullNodes(): TestnetNode[] {
    return this.net.nodes.filter((n) => !n.manifest.genesisValidator);
  }

  async run(): Promise<{ report: ChaosReport; net?: Testnet }> {
    const validators = this.options.validators ?? 4;
    const senderCount = this.options.senders ?? 8;
    if (!Number.isInteger(senderCount) || senderCount < 3) throw new Error(`senders must be an integer ≥ 3 (a transfer goes to two others), not ${senderCount}`);
    if (!Number.isInteger(validators) || validators < 4) throw new Error(`validators must be an integer ≥ 4 (one may be down), not ${validators}`);
    const netDir = join(this.out, "net");
    if (existsSync(netDir)) rmSync(netDir, { recursive: true, force: true });
    mkdirSync(this.out, { recursive: true });
    // load accounts and the QSC banker: seeded keys, so a seed names the same accounts (and the same mix)
    const senders = await Promise.all(Array.from({ length: senderCount }, (_, i) => testAccount(`chaos:${this.options.seed}:sender:${i}`)));
    const banker = await testAccount(`chaos:${this.options.seed}:banker`);
    const ca = newCaKeyPair();
    this.log(`creating ${validators} validators + 1 full node in ${netDir}`);
    this.net = await createTestnet({
      dir: netDir, validators, fullNodes: 1, chainId: ChainId, power: Power,
      timeoutCommit: "300ms", timeoutPropose: "1s",
      accounts: [...senders, banker].map((a) => ({ address: a.address, coins: `${1_000_000n * QOS}uqos` })),
      // a validator down for a whole fault must not become inactive: that would change the power the rule counts
      stakeParams: { voting_status_len: 1000, voting_status_least: 1, survival_secs: 36_000 },
      env: { QOS_CHECK_INVARIANTS: "1" },
      genesisPatch: (genesis) => {
        genesis.app_state.gov = { ...genesis.app_state.gov, params: { normal: GovLevel, important: GovLevel, critical: GovLevel } };
        genesis.app_state.qsc = { ...genesis.app_state.qsc, root_ca_public_key: toBase64(ca.publicKey) };
      },
    });
    let keepRunning = false;
    try {
      await this.net.startAll({ timeoutMs: 120_000 });
      for (const n of this.net.nodes) this.state.set(n.name, "up");
      this.watcher = new ChainWatcher(this.net.nodes, this.available, this.log);
      this.watcher.start();
      const ctx: LoadContext = { chainId: ChainId, nodes: this.net.nodes, available: this.available, watcher: this.watcher, records: this.records, clock: this.clock, log: this.log };

      // setup: the QSC every sender holds, made by its banker with a certificate of the genesis root CA
      const bankerSender = new Sender(banker, ctx, this.rng.fork("banker"));
      await bankerSender.sync();
      const now = BigInt(Math.floor(Date.now() / 1000));
      const certificate = qscCertificate(ca, { chainId: ChainId, name: QscName, bankerPublicKey: banker.pubkey, notBefore: now - 3600n, notAfter: now + 30n * 86_400n });
      await bankerSender.sendUntilDone("create-qsc", [msgs.createQsc(banker.address, certificate, QscName, senders.map((s) => ({ address: s.address, amount: QscPerHolder })))]);
      const world: LoadWorld = {
        accounts: senders.map((s) => s.address),
        validators: this.validators.map((n) => toValAddress(parseAccAddress(n.owner!))),
        qscDenom: QscName, proposals: [], deposit: Deposit, votingMs: VotingSecs * 1000,
      };
      const firstHeight = this.watcher.scanned;
      this.log(`setup done at height ${firstHeight}: load and faults start (seed ${this.options.seed})`);

      const loads = senders.map((s, i) => runLoadSender(new Sender(s, ctx, this.rng.fork(`net:${i}`)), this.rng.fork(`load:${i}`), ctx, world, () => this.stopLoad));
      const monitor = this.monitorExits();
      const endAt = Date.now() + this.options.minutes * 60_000;
      await Promise.all([this.validatorLane(endAt, ctx), this.fullNodeLane(endAt)]);
      this.log("fault time over: stopping the load");
      this.stopLoad = true;
      await Promise.all(loads);
      this.stopFaults = true;
      await monitor;

      // every node back, caught up; every pending tx resolved; every committed tx looked up everywhere
      await this.allUpAndCaughtUp();
      await this.resolvePending(senders.length);
      const lost = await this.finalIndexCheck();
      await this.watcher.compareHeaders();
      const finalChecks = await this.finalStateChecks(senders.map((s) => s.address), BigInt(senders.length) * QscPerHolder);
      await this.watcher.stop();
      const report = this.report(firstHeight, lost, finalChecks, validators);
      writeFileSync(join(this.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
      writeFileSync(join(this.out, "txs.jsonl"), this.records.map((r) => JSON.stringify(r)).join("\n") + "\n");
      if (this.options.keepRunning) {
        keepRunning = true;
        return { report, net: this.net };
      }
      return { report };
    } finally {
      if (!keepRunning) {
        await this.net.killAll();
        // the network's folder is kept when asked, or when something failed (its logs are the evidence)
        const reportFile = join(this.out, "report.json");
        const passed = existsSync(reportFile) && JSON.parse(readFileSync(reportFile, "utf8")).ok === true;
        if (passed && !this.options.keep) rmSync(netDir, { recursive: true, force: true });
      }
    }
  }

  // ---- fault lanes ----

  private async validatorLane(endAt: number, ctx: LoadContext): Promise<void> {
    const rng = this.rng.fork("validator-lane");
    // the first pass goes through every kind once, so a short run sees each of them: the upgrade first
    // (it takes longest: a vote, then the way to its height), the others in a seeded order
    const firstPass: FaultKind[] = FaultKinds.filter((k) => k !== "upgrade");
    for (let i = firstPass.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [firstPass[i], firstPass[j]] = [firstPass[j], firstPass[i]];
    }
    firstPass.unshift("upgrade");
    let lastUpgrade = -Infinity;
    // the first pass always completes, however slow the machine: a run injects every kind at least once
    while (firstPass.length > 0 || Date.now() < endAt) {
      await sleep(rng.range(1000, 3000));
      if (firstPass.length === 0 && Date.now() >= endAt) break;
      let kind: FaultKind = firstPass.shift() ?? rng.weighted({ "kill-qosd": 3, "kill-cometbft": 3, pause: 3, lag: 2, upgrade: 1 });
      // an upgrade needs its vote and the way to its height (~40 s); at most one every 3 minutes
      if (kind === "upgrade" && lastUpgrade > -Infinity && (Date.now() - lastUpgrade < 180_000 || endAt - Date.now() < 45_000)) kind = "pause";
      const node = rng.pick(this.validators);
      if (kind === "upgrade") {
        lastUpgrade = Date.now();
        await this.upgrade(node, rng, ctx);
      } else await this.inject(kind, node, "validator", rng);
    }
  }

  private async fullNodeLane(endAt: number): Promise<void> {
    const rng = this.rng.fork("full-node-lane");
    const node = this.fullNodes[0];
    if (!node) return;
    while (Date.now() < endAt) {
      await sleep(rng.range(4000, 12_000));
      if (Date.now() >= endAt) break;
      const kind = rng.weighted({ "kill-qosd": 2, "kill-cometbft": 2, pause: 1, lag: 2 });
      while (this.exclusive) await sleep(200);
      this.fullLaneBusy = true;
      try {
        await this.inject(kind, node, "full-node", rng);
      } finally {
        this.fullLaneBusy = false;
      }
    }
  }

  private newFault(kind: FaultKind, node: TestnetNode, lane: FaultRecord["lane"]): FaultRecord {
    const fault: FaultRecord = { id: this.faults.length, kind, node: node.name, lane, start: this.clock(), heightAtStart: this.watcher.scanned, detail: "", liveness: "pending" };
    this.faults.push(fault);
    this.log(`fault #${fault.id} ${kind} on ${node.name} (${lane} lane) at height ${fault.heightAtStart}`);
    return fault;
  }

  /** A fault on one node, lifted after a seeded while; then waits for recovery. */
  private async inject(kind: Exclude<FaultKind, "upgrade">, node: TestnetNode, lane: FaultRecord["lane"], rng: Rng): Promise<void> {
    const fault = this.newFault(kind, node, lane);
    this.state.set(node.name, kind === "pause" ? "paused" : "down");
    let logOffset = 0;
    switch (kind) {
      case "kill-qosd":
        await node.killApp();
        await sleep(rng.range(0, 2000));
        fault.detail = "kill -9 of qosd; CometBFT stopped itself";
        break;
      case "kill-cometbft":
        await node.killCometbft();
        await sleep(rng.range(0, 2000));
        fault.detail = "kill -9 of CometBFT; qosd stopped";
        break;
      case "pause": {
        const ms = rng.range(3000, 7000);
        node.signalGroup("SIGSTOP");
        await sleep(ms);
        node.signalGroup("SIGCONT");
        fault.detail = `SIGSTOP for ${ms} ms (timeouts: propose 1 s, prevote/precommit 1 s)`;
        break;
      }
      case "lag": {
        const ms = rng.range(12_000, 20_000);
        await node.stop();
        await sleep(ms);
        logOffset = existsSync(node.cometLogFile) ? statSync(node.cometLogFile).size : 0;
        fault.detail = `stopped (SIGINT) for ${ms} ms, ${this.watcher.scanned - fault.heightAtStart} blocks behind`;
        break;
      }
    }
    fault.lifted = this.clock();
    if (kind !== "pause") await this.restart(node, `fault #${fault.id}`);
    this.state.set(node.name, "up");
    await this.awaitRecovery(fault, [node]);
    if (kind === "lag") {
      const text = this.readFrom(node.cometLogFile, logOffset);
      fault.detail += /switch to consensus/i.test(text) ? "; caught up by block sync" : "; no block sync seen in cometbft.log";
    }
  }

  private readFrom(file: string, offset: number): string {
    if (!existsSync(file)) return "";
    const text = readFileSync(file);
    return text.subarray(offset <= text.length ? offset : 0).toString("utf8");
  }

  private async restart(node: TestnetNode, why: string): Promise<void> {
    const args = this.upgradesDone.length ? ["--upgrade-done", ...this.upgradesDone] : [];
    for (let attempt = 1; ; attempt++) {
      try {
        await node.start({ timeoutMs: 120_000, args });
        return;
      } catch (e) {
        const message = (e as Error).message;
        await node.kill();
        // Another process on the machine probing for a free port (a test's freePort binds it for a moment)
        // can hold one of ours just when the node restarts: not the node's fault, so a retry, not a finding.
        if (/address already in use/.test(message) && attempt < 5) {
          this.portRetries.push(`${node.name} (${why}): ${/listen tcp [^:]+:\d+/.exec(message)?.[0] ?? "a port"} in use, retried`);
          this.log(`${node.name}: a port is in use: restart again`);
          await sleep(1000);
          continue;
        }
        this.unexpectedExits.push({ node: node.name, at: this.clock(), log: `restart (${why}) failed: ${message.slice(-1500)}` });
        this.log(`${node.name}: restart ${attempt} failed`);
        if (attempt >= 3) throw e;
        await sleep(2000);
      }
    }
  }

  /** the highest app height among the available nodes */
  private async networkHeight(except: readonly TestnetNode[] = []): Promise<number> {
    const nodes = this.net.nodes.filter((n) => this.available(n) && !except.includes(n));
    return Math.max(-1, ...(await Promise.all(nodes.map((n) => appHeight(n)))));
  }

  /**
   * Recovered: the faulted nodes' apps reached the height the others had once they were back (restarted,
   * resumed), and the network made two more blocks. The time counts from the lift (the restart's start).
   * Over the bound: a liveness failure.
   */
  private async awaitRecovery(fault: FaultRecord, nodes: readonly TestnetNode[]): Promise<void> {
    fault.lifted ??= this.clock();
    const target = await this.networkHeight(nodes);
    fault.heightAtLift = Math.max(target, this.watcher.scanned);
    const deadline = Date.now() + this.boundMs;
    for (;;) {
      const heights = await Promise.all(nodes.map((n) => appHeight(n)));
      const network = await this.networkHeight();
      if (heights.every((h) => h >= target) && network >= fault.heightAtLift + 2) {
        fault.recovered = this.clock();
        fault.recoveryMs = fault.recovered - fault.lifted;
        fault.liveness = "ok";
        this.log(`fault #${fault.id} recovered in ${fault.recoveryMs} ms (height ${network})`);
        return;
      }
      if (Date.now() > deadline) {
        fault.liveness = "failed";
        this.log(`LIVENESS: fault #${fault.id} not recovered in ${this.boundMs} ms (nodes at ${heights.join(",")}, target ${target}, network ${network})`);
        return;
      }
      await sleep(200);
    }
  }

  /**
   * A software upgrade with a restart around its height: node0's owner proposes a plan at a height past
   * the vote, every validator's owner votes yes; `victim` is killed -9 two blocks before the height; the
   * others stop by themselves at it (UPGRADE … NEEDED) and are restarted with --upgrade-done, the victim
   * last (it replays or block-syncs its way through the upgrade height).
   */
  private async upgrade(victim: TestnetNode, rng: Rng, ctx: LoadContext): Promise<void> {
    this.exclusive = true;
    try {
      while (this.fullLaneBusy) await sleep(200);
      const fault = this.newFault("upgrade", victim, "validator");
      const name = `chaos-${this.upgradesDone.length + 1}`;
      // past the end of the vote (its period, the proposal's and the votes' blocks) with a margin for slow blocks
      const height = this.watcher.scanned + Math.ceil((1.3 * (VotingSecs + 6) * 1000) / this.watcher.blockIntervalMs()) + 6;
      const owners = await Promise.all(this.validators.map(async (n) => new Sender(await this.ownerAccount(n), ctx, rng.fork(`owner:${n.name}`))));
      await Promise.all(owners.map((o) => o.sync()));
      const submitted = await owners[0].sendUntilDone("upgrade-propose", [msgs.upgradeProposal(owners[0].address, name, height, Deposit)]);
      const id = (await txEvents(ctx, submitted)).find((e) => e.type === "submit_proposal")?.attributes.find((a) => a.key === "proposal_id")?.value;
      if (!id) throw new Error("the upgrade proposal has no submit_proposal event");
      await Promise.all(owners.map((o) => o.sendUntilDone("upgrade-vote", [msgs.vote(o.address, BigInt(id), VoteOption.VOTE_OPTION_YES)])));
      this.log(`upgrade ${name}: proposal ${id} for height ${height}, voted`);
      while (!(await this.planScheduled(name))) {
        if (this.watcher.scanned >= height - 3) {
          fault.detail = `proposal ${id} for ${name} at ${height} was not scheduled in time`;
          fault.liveness = "ok";
          this.log(`upgrade ${name}: ${fault.detail}`);
          return;
        }
        await sleep(300);
      }
      while ((await this.networkHeight()) < height - 2) await sleep(100);
      const offsets = new Map(this.net.nodes.map((n) => [n.name, existsSync(n.logFile) ? statSync(n.logFile).size : 0]));
      // from here every (re)start carries --upgrade-done: what an operator does once the plan is known
      this.upgradesDone.push(name);
      this.state.set(victim.name, "down");
      await victim.kill();
      this.log(`upgrade ${name}: ${victim.name} killed at height ${height - 2}`);
      // A rolling restart as an operator would do it: each node that stopped by itself at the height (UPGRADE
      // … NEEDED, qosd exited) is restarted with --upgrade-done at once; the victim once the first one has.
      // A node that has not seen the upgrade block decided (its last precommit came from a node that stopped
      // right after deciding) waits at height − 1 until a restarted node brings it the commit; then it stops too.
      const others = this.net.nodes.filter((n) => n !== victim);
      const halted = new Set<string>();
      const restarts = new Map<string, Promise<void>>();
      const restartOne = (n: TestnetNode) =>
        restarts.set(n.name, this.restart(n, `upgrade ${name}`).then(() => void this.state.set(n.name, "up"), (e) => this.log(`${n.name}: no restart: ${(e as Error).message}`)));
      let victimDueAt = Infinity;
      const deadline = Date.now() + 2 * this.boundMs;
      for (;;) {
        for (const n of others) {
          if (restarts.has(n.name) || n.running()) continue;
          this.state.set(n.name, "down");
          if (this.readFrom(n.logFile, offsets.get(n.name)!).includes(`UPGRADE ${name} NEEDED at height ${height}`)) halted.add(n.name);
          else this.unexpectedExits.push({ node: n.name, at: this.clock(), log: `stopped during upgrade ${name} without UPGRADE NEEDED:\n${n.logTail(1500)}` });
          fault.lifted ??= this.clock();
          if (victimDueAt === Infinity) victimDueAt = Date.now() + rng.range(1000, 3000);
          restartOne(n);
        }
        if (!restarts.has(victim.name) && Date.now() >= victimDueAt) restartOne(victim);
        const heights = await Promise.all(this.net.nodes.map((n) => appHeight(n)));
        if (restarts.size === this.net.nodes.length && heights.every((h) => h >= height)) break;
        if (Date.now() > deadline) {
          fault.liveness = "failed";
          this.log(`LIVENESS: upgrade ${name} not through height ${height} (nodes at ${heights.join(",")})`);
          break;
        }
        await sleep(200);
      }
      if (!restarts.has(victim.name)) restartOne(victim);
      await Promise.all(restarts.values());
      fault.detail = `plan ${name} at height ${height} (proposal ${id}); ${victim.name} killed -9 at ${height - 2}; ${halted.size} of ${others.length} others stopped by themselves with UPGRADE NEEDED, each restarted with --upgrade-done ${name}, ${victim.name} too`;
      if (fault.liveness === "pending") await this.awaitRecovery(fault, this.net.nodes);
      const applied = await this.appliedUpgrades();
      if (!applied.includes(name)) {
        fault.detail += `; NOT applied (applied: ${applied.join(",") || "none"})`;
        fault.liveness = "failed";
      }
      if (halted.size !== others.length) fault.liveness = "failed";
    } finally {
      this.exclusive = false;
    }
  }

  private async ownerAccount(node: TestnetNode): Promise<TestAccount> {
    const wallet = await DirectSecp256k1Wallet.fromKey(await this.net.ownerPrivateKey(node), "qosacc");
    const [account] = await wallet.getAccounts();
    return { wallet, address: account.address, pubkey: account.pubkey };
  }

  private async upgradeState(): Promise<QueryUpgradeResponse | undefined> {
    for (const node of this.net.nodes.filter(this.available)) {
      try {
        const res = await quickRpc<{ response: { code: number; value: string | null } }>(node, "abci_query", {
          path: Method.qos.gov.v1.Query.Upgrade, data: Buffer.from(QueryUpgradeRequest.encode({}).finish()).toString("hex"),
        });
        if (res.response.code === 0) return QueryUpgradeResponse.decode(Buffer.from(res.response.value ?? "", "base64"));
      } catch {
        // the next node
      }
    }
    return undefined;
  }

  private async planScheduled(name: string): Promise<boolean> {
    return (await this.upgradeState())?.plan?.name === name;
  }

  private async appliedUpgrades(): Promise<string[]> {
    return ((await this.upgradeState())?.applied ?? []).map((a) => a.name);
  }

  /** Nodes that are meant to run but whose process group is gone: a crash (reported) and a restart. */
  private async monitorExits(): Promise<void> {
    while (!this.stopFaults) {
      for (const node of this.net.nodes) {
        if (this.state.get(node.name) !== "up" || node.running() || this.exclusive) continue;
        const tail = node.logTail(1500);
        this.unexpectedExits.push({ node: node.name, at: this.clock(), log: tail });
        this.log(`UNEXPECTED EXIT of ${node.name}:\n${tail}`);
        this.state.set(node.name, "down");
        await this.restart(node, "after an unexpected exit").catch(() => undefined);
        if (node.running()) this.state.set(node.name, "up");
      }
      await sleep(1000);
    }
  }

  // ---- the end ----

  private async allUpAndCaughtUp(): Promise<void> {
    for (const node of this.net.nodes) {
      if (!node.running()) {
        this.log(`${node.name} is not running at the end: starting it`);
        await node.start({ timeoutMs: 120_000, args: this.upgradesDone.length ? ["--upgrade-done", ...this.upgradesDone] : [] }).catch((e) => this.log(`${node.name}: ${(e as Error).message}`));
      }
      this.state.set(node.name, node.running() ? "up" : "down");
    }
    const target = (await this.networkHeight()) + 2;
    const deadline = Date.now() + this.boundMs;
    while (Date.now() < deadline) {
      const heights = await Promise.all(this.net.nodes.map((n) => appHeight(n)));
      if (heights.every((h) => h >= target)) return;
      await sleep(300);
    }
    this.log(`not every node reached height ${target} at the end`);
  }

  /** Waits (one timeout window at most) for txs still pending when the load stopped. */
  private async resolvePending(senderCount: number): Promise<void> {
    const deadline = Date.now() + this.boundMs;
    for (;;) {
      let pending = 0;
      for (const r of this.records) {
        if (r.status !== "pending") continue;
        const found = this.watcher.committed.get(r.hash);
        if (found) Object.assign(r, { status: "committed", height: found.height, code: found.code, resolvedAt: this.clock() });
        else if (this.watcher.scanned >= r.timeoutHeight + 2) Object.assign(r, { status: "expired", resolvedAt: this.clock() });
        else pending++;
      }
      if (pending === 0 || Date.now() > deadline) {
        if (pending) this.log(`${pending} txs still pending (of ${senderCount} senders' last ones)`);
        return;
      }
      await sleep(300);
    }
  }

  /** Every tx found in a block must be found by hash on every node; retried for a while before it counts as lost. */
  private async finalIndexCheck(): Promise<LostTx[]> {
    const hashes = this.records.filter((r) => r.status === "committed").map((r) => r.hash);
    const deadline = Date.now() + 30_000;
    for (;;) {
      await this.watcher.compareHeaders();
      await this.watcher.checkIndex(Number.MAX_SAFE_INTEGER);
      const missing = this.net.nodes.map((n) => [n, this.watcher.missingOn(n, hashes)] as const).filter(([, m]) => m.length > 0);
      if (missing.length === 0 || Date.now() > deadline) {
        return missing.flatMap(([node, list]) =>
          list.map((hash) => {
            const at = this.watcher.committed.get(hash)!;
            const reason = (this.watcher.compared.get(node.name) ?? 0) >= at.height
              ? `in block ${at.height} on ${node.name}, but ${node.name}'s tx index does not find it by hash`
              : `${node.name} never reached height ${at.height}`;
            return { hash, height: at.height, node: node.name, reason };
          }),
        );
      }
      await sleep(1000);
    }
  }

  /** The same balances on every node at one height; the QSC's supply is what was created (no load op mints it). */
  private async finalStateChecks(accounts: readonly string[], qscTotal: bigint): Promise<string[]> {
    const height = Math.min(...(await Promise.all(this.net.nodes.map((n) => appHeight(n)))));
    const checks: string[] = [];
    let qscSum = 0n;
    let differing = 0;
    for (const address of accounts) {
      for (const denom of ["uqos", QscName]) {
        const values = await Promise.all(this.net.nodes.map((n) => this.balance(n, address, denom, height)));
        if (new Set(values.map(String)).size !== 1) {
          differing++;
          this.watcher.divergences.push({ height, node: this.net.nodes.map((n, i) => `${n.name}=${values[i]}`).join(" "), field: "app_hash", expected: `${denom} balance of ${address}`, got: "nodes differ" });
        }
        if (denom === QscName) qscSum += values[0] ?? 0n;
      }
    }
    checks.push(`balances of ${accounts.length} accounts (uqos, ${QscName}) at height ${height}: ${differing === 0 ? "identical on every node" : `${differing} differ`}`);
    checks.push(`${QscName} held by the load accounts: ${qscSum} of ${qscTotal} created${qscSum === qscTotal ? " (conserved)" : " — NOT CONSERVED"}`);
    return checks;
  }

  private async balance(node: TestnetNode, address: string, denom: string, height: number): Promise<bigint | undefined> {
    try {
      const res = await quickRpc<{ response: { code: number; value: string | null } }>(node, "abci_query", {
        path: Method.cosmos.bank.v1beta1.Query.Balance, height: String(height),
        data: Buffer.from(QueryBalanceRequest.encode({ address, denom }).finish()).toString("hex"),
      }, 10_000);
      if (res.response.code !== 0) return undefined;
      return BigInt(QueryBalanceResponse.decode(Buffer.from(res.response.value ?? "", "base64")).balance?.amount ?? "0");
    } catch {
      return undefined;
    }
  }

  private report(firstHeight: number, lost: LostTx[], finalChecks: string[], validators: number): ChaosReport {
    const byKind = Object.fromEntries(FaultKinds.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const f of this.faults) byKind[f.kind]++;
    const recoveries = this.faults.filter((f) => f.recoveryMs !== undefined).map((f) => f.recoveryMs!).sort((a, b) => a - b);
    const livenessFailures = this.faults.filter((f) => f.liveness !== "ok").length;
    const expiredThenCommitted = this.records.filter((r) => r.status === "expired" && this.watcher.committed.has(r.hash)).length;
    const logProblems: string[] = [];
    for (const n of this.net.nodes) {
      for (const file of [n.logFile, n.cometLogFile]) {
        if (!existsSync(file)) continue;
        // an upgrade's stop is meant (CometBFT reports the app's refusal of the upgrade height as a consensus
        // failure), and so is a kill of qosd inside a block (CometBFT's consensus failure on the dead socket)
        const expected = (line: string) => this.upgradesDone.some((name) => line.includes(`UPGRADE ${name} NEEDED`)) || AppGone.test(line);
        for (const line of readFileSync(file, "utf8").split("\n")) if (LogProblem.test(line) && !expected(line)) logProblems.push(`${n.name} ${file.endsWith("cometbft.log") ? "cometbft.log" : "qosd.log"}: ${line.slice(0, 300)}`);
      }
    }
    const txs = { ...countTxs(this.records), lost: lost.length, lostList: lost, expiredThenCommitted };
    const finalHeight = this.watcher.scanned;
    const failures: string[] = [];
    if (txs.lost > 0) failures.push(`${txs.lost} committed txs not found by hash`);
    if (this.watcher.divergences.length > 0) failures.push(`${this.watcher.divergences.length} divergences`);
    if (livenessFailures > 0) failures.push(`${livenessFailures} faults without recovery within ${this.boundMs} ms`);
    if (txs.unresolved > 0) failures.push(`${txs.unresolved} txs of unknown fate`);
    if (expiredThenCommitted > 0) failures.push(`${expiredThenCommitted} txs committed after their timeout height`);
    if (this.unexpectedExits.length > 0) failures.push(`${this.unexpectedExits.length} unexpected exits`);
    if (logProblems.length > 0) failures.push(`${logProblems.length} problem lines in node logs`);
    if (finalChecks.some((c) => /differ|NOT/.test(c))) failures.push("final state checks");
    return {
      seed: this.options.seed, minutes: this.options.minutes, validators, fullNodes: this.fullNodes.length,
      rule: `one validator at a time (the next validator fault waits for recovery), so ${validators - 1} of ${validators} validators (equal power) stay live except while every node stops at an upgrade height; the full node is faulted on its own schedule, overlapping`,
      wallMs: this.clock(),
      heights: { first: firstHeight, last: finalHeight },
      faults: { total: this.faults.length, byKind, list: this.faults },
      txs,
      divergences: { count: this.watcher.divergences.length, list: this.watcher.divergences },
      liveness: { failures: livenessFailures, boundMs: this.boundMs, recoveryMs: { count: recoveries.length, median: percentile(recoveries, 50), p99: percentile(recoveries, 99), max: recoveries.at(-1) ?? 0 } },
      unexpectedExits: this.unexpectedExits,
      portRetries: this.portRetries,
      logProblems,
      invariants: { perBlock: "every module invariant checked after every block on every node (QOS_CHECK_INVARIANTS=1; a violation halts the node and shows in its log)", finalChecks },
      ok: failures.length === 0,
      failures,
    };
  }
}

export { summary };
