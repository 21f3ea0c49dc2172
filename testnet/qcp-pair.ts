// Two chains and relayers on one machine: QOS (profile qos) and a business chain (profile business),
// both with the same QCP root CA, each with a light client of the other (MsgCreateClient, certified by
// the CA for a header of the counterpart), relayer keys registered on each side with CA certificates
// (MsgInitQcp: informational, delivery is permissionless), a QSC token on the business chain, and
// relayer processes (cmd/relayer) between them.
// Used by the QCP end-to-end tests and by `npm run testnet:qcp`.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { createHash, createPrivateKey } from "node:crypto";
import { issueCertificate, newCaKeyPair, type CaKeyPair } from "../app/certificate.js";
import { repoRoot } from "../cmd/common/cometbft.js";
import { MsgCreateClient, MsgExecute, MsgInitQcp, MsgRecvQcp, MsgTransfer, MsgUpdateClient } from "../gen/qos/qcp/v1/tx.js";
import { QuerySequencesRequest, QuerySequencesResponse } from "../gen/qos/qcp/v1/query.js";
import { Method, TypeUrl } from "../gen/names.js";
import { headerHash, lightBlockFromRpc, type LightBlock } from "../app/light/index.js";
import { toProtoSignedHeader, updateMsg } from "../cmd/relayer/client.js";
import { QueryClientRequest, QueryClientResponse } from "../gen/qos/qcp/v1/query.js";
import { makeBlock, sha } from "../test/helpers/light-chain.js";
import { toProtoValidatorSet } from "../app/light/index.js";
import { freePort, sleep, TestNode } from "../test/helpers/node.js";
import { msg as qscMsg, qscCertificate } from "../test/helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../test/helpers/wallet.js";

const Urls = TypeUrl.qos.qcp.v1;
for (const [url, type] of [
  [Urls.MsgInitQcp, MsgInitQcp], [Urls.MsgRecvQcp, MsgRecvQcp], [Urls.MsgTransfer, MsgTransfer], [Urls.MsgExecute, MsgExecute], [Urls.MsgCreateClient, MsgCreateClient], [Urls.MsgUpdateClient, MsgUpdateClient],
] as const) {
  try {
    registry.register(url, type as never);
  } catch {
    // registered already
  }
}

export const relayerBin = join(repoRoot, "dist/cmd/relayer/main.js");
const seedKey = (seed: string) => createHash("sha256").update(seed).digest("hex");
/** The key of relayer `index` (qcp-relayer-<index>) as a relayer config names it. */
export const relayerKey = (index: number) => ({ private_key_hex: seedKey(`qcp-relayer-${index}`) });

/** What Chain needs of a node: a single TestNode, or one node of a multi-validator testnet. */
export interface ChainNode {
  readonly rpcUrl: string;
  rpc<T = any>(method: string, params?: Record<string, unknown>): Promise<T>;
}

export class Chain<N extends ChainNode = TestNode> {
  private sequences = new Map<string, bigint>();
  constructor(readonly node: N, readonly id: string) {}

  async query(path: string, data: Uint8Array): Promise<Uint8Array> {
    const { response } = await this.node.rpc<{ response: { code: number; log: string; value: string | null } }>("abci_query", { path, data: Buffer.from(data).toString("hex") });
    if (response.code !== 0) throw new Error(`${this.id} ${path}: ${response.log}`);
    return Buffer.from(response.value ?? "", "base64");
  }
  async account(address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
    const res = QueryAccountResponse.decode(await this.query(Method.cosmos.auth.v1beta1.Query.Account, QueryAccountRequest.encode({ address }).finish()));
    const a = BaseAccount.decode(res.account!.value);
    return { accountNumber: a.accountNumber, sequence: a.sequence };
  }
  async balance(address: string, denom: string): Promise<bigint> {
    return BigInt(QueryBalanceResponse.decode(await this.query(Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest.encode({ address, denom }).finish())).balance!.amount);
  }
  /** The node's header `height` (latest if 0) with its commit and validator set, unverified. */
  async lightBlock(height = 0): Promise<LightBlock> {
    const commit = await this.node.rpc("commit", height ? { height: String(height) } : {});
    const h = (commit as { signed_header: { header: { height: string } } }).signed_header.header.height;
    const { validators } = await this.node.rpc<{ validators: unknown[] }>("validators", { height: h, per_page: "100" });
    return lightBlockFromRpc(commit, validators);
  }
  async seqs(other: string): Promise<QuerySequencesResponse> {
    return QuerySequencesResponse.decode(await this.query(Method.qos.qcp.v1.Query.Sequences, QuerySequencesRequest.encode({ chainId: other }).finish()));
  }

  /** Broadcasts (sync) with the signer's next sequence, tracked locally so many txs fit in one block. */
  async broadcast(signer: TestAccount, msgs: EncodeObject[], gas = 400_000 * Math.max(1, msgs.length)): Promise<string> {
    const acc = await this.account(signer.address);
    const seq = this.sequences.get(signer.address) ?? acc.sequence;
    const tx = await signTx(signer, msgs, {
      chainId: this.id, accountNumber: acc.accountNumber, sequence: seq,
      fee: { amount: [{ denom: "uqos", amount: String(Math.ceil(gas * 0.025)) }], gas: String(gas) },
    });
    const res = await this.node.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    if (res.code !== 0) {
      this.sequences.delete(signer.address);
      throw new Error(`${this.id} CheckTx ${res.code}: ${res.log}`);
    }
    this.sequences.set(signer.address, seq + 1n);
    return createHash("sha256").update(tx).digest("hex").toUpperCase();
  }

  async waitTx(hash: string, timeoutMs = 30_000): Promise<{ code: number; log: string; height: number; events: any[] }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.node.rpcUrl}/tx?hash=0x${hash}`).then((r) => r.json()).catch(() => undefined) as any;
      if (res?.result) return { code: res.result.tx_result.code, log: res.result.tx_result.log, height: Number(res.result.height), events: res.result.tx_result.events };
      await sleep(100);
    }
    throw new Error(`${this.id}: tx ${hash} not committed in ${timeoutMs} ms`);
  }

  async submit(signer: TestAccount, msgs: EncodeObject[]) {
    const res = await this.waitTx(await this.broadcast(signer, msgs));
    if (res.code !== 0) throw new Error(`${this.id} tx failed ${res.code}: ${res.log}`);
    return res;
  }
}

export class RelayerProcess {
  output = "";
  private child?: ChildProcess;
  constructor(readonly configFile: string, readonly metricsPort: number) {}
  get pid(): number | undefined {
    return this.child?.pid;
  }
  start(): void {
    this.output = "";
    const child = spawn(process.execPath, [relayerBin, "--config", this.configFile, "--metrics", `127.0.0.1:${this.metricsPort}`], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (this.output += d));
    child.stderr!.on("data", (d) => (this.output += d));
    this.child = child;
  }
  /** kill -9 */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
    await exited;
  }
  async metrics(): Promise<string> {
    return fetch(`http://127.0.0.1:${this.metricsPort}/metrics`).then((r) => r.text());
  }
}

export interface QcpPair<Q extends ChainNode = TestNode> {
  qos: Chain<Q>;
  biz: Chain;
  ca: CaKeyPair;
  relayers: TestAccount[];
  alice: TestAccount;
  bob: TestAccount;
  banker: TestAccount;
  token: string;
  /** writes a relayer config using relayer key `index` on both chains; returns a process (not started) */
  relayer(index: number, overrides?: Record<string, unknown>): Promise<RelayerProcess>;
  destroy(): Promise<void>;
}

/** A QCP-ready genesis: the profile, and the QCP and QSC root CA keys (certificates for relayers, clients, tokens). */
export function qcpGenesis(genesis: any, profile: "qos" | "business", ca: CaKeyPair): void {
  genesis.app_state.profile = profile;
  genesis.app_state.qcp = { ...(genesis.app_state.qcp ?? {}), root_ca_public_key: toBase64(ca.publicKey) };
  genesis.app_state.qsc = { ...(genesis.app_state.qsc ?? {}), root_ca_public_key: toBase64(ca.publicKey) };
}

/**
 * What validators signing a fork look like: a header of `src` for a height it reaches in a few blocks
 * (its latest + 6), with another app hash, signed by `src`'s only validator key (a TestNode's), pushed
 * into `dst`'s client of `src` by `signer` (verified from the client's latest height). Returns the
 * forged height; once `src` gets there, a relayer sees its own header differ.
 */
export async function pushForgedHeader(dst: Chain, src: Chain, signer: TestAccount): Promise<bigint> {
  const pv = JSON.parse(readFileSync(join(src.node.home, "config/priv_validator_key.json"), "utf8")) as { priv_key: { value: string } };
  const seed = Buffer.from(pv.priv_key.value, "base64").subarray(0, 32);
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
  const latest = await src.lightBlock();
  const member = { key: { pubKey: latest.validatorSet.validators[0].pubKey, priv }, power: latest.validatorSet.validators[0].votingPower };
  const client = QueryClientResponse.decode(await dst.query(Method.qos.qcp.v1.Query.Client, QueryClientRequest.encode({ chainId: src.id }).finish()));
  const trusted = client.clientState!.latestHeight;
  const forgedHeight = latest.signedHeader.header.height + 6n;
  const forged = makeBlock({
    height: forgedHeight, chainId: src.id, members: [member], nextMembers: [member], appHash: sha("forged state"),
    time: { seconds: BigInt(Math.floor(Date.now() / 1000) + 6), nanos: 0 },
  });
  const trustedNext = (await src.lightBlock(Number(trusted) + 1)).validatorSet;
  await dst.submit(signer, [updateMsg(signer.address, src.id, { block: forged, trustedHeight: trusted, trustedValidators: trustedNext })]);
  return forgedHeight;
}

/** The latest block time of a chain, in seconds (certificates are valid around it). */
async function chainSeconds(chain: Chain<ChainNode>): Promise<bigint> {
  const block = await chain.node.rpc<{ block: { header: { time: string } } }>("block");
  return BigInt(Math.trunc(Date.parse(block.block.header.time) / 1000));
}

/** Registers each side as the other's QCP counterpart (MsgInitQcp with a root-CA certificate per relayer key), signed by `creator`. */
export async function connectChains(a: Chain<ChainNode>, b: Chain<ChainNode>, ca: CaKeyPair, relayers: TestAccount[], creator: TestAccount): Promise<void> {
  const now = await chainSeconds(a);
  const init = (chainId: string, qcpChain: string, key: Uint8Array) => ({
    typeUrl: Urls.MsgInitQcp,
    value: MsgInitQcp.fromPartial({
      creator: creator.address,
      certificate: issueCertificate(ca, { qcp: { chainId, qcpChain, relayerPublicKey: key, trustedHeaderHash: new Uint8Array() }, notBefore: now - 600n, notAfter: now + 86_400n }),
    }),
  });
  // each chain's client of the other, trusting the other's current header (the CA vouches for its hash)
  const createClient = async (chainId: string, counterpart: Chain<ChainNode>) => {
    const block = await counterpart.lightBlock();
    const trustedHeaderHash = headerHash(block.signedHeader.header);
    return {
      typeUrl: Urls.MsgCreateClient,
      value: MsgCreateClient.fromPartial({
        creator: creator.address,
        certificate: issueCertificate(ca, { qcp: { chainId, qcpChain: counterpart.id, relayerPublicKey: new Uint8Array(), trustedHeaderHash }, notBefore: now - 600n, notAfter: now + 86_400n }),
        signedHeader: toProtoSignedHeader(block.signedHeader),
        validatorSet: toProtoValidatorSet(block.validatorSet),
      }),
    };
  };
  const [aClient, bClient] = await Promise.all([createClient(a.id, b), createClient(b.id, a)]);
  await Promise.all([
    a.submit(creator, [...relayers.map((r) => init(a.id, b.id, r.pubkey)), aClient]),
    b.submit(creator, [...relayers.map((r) => init(b.id, a.id, r.pubkey)), bClient]),
  ]);
}

/** A QSC token `name` on `chain` (banker `banker`), 1,000,000,000 of it held by `holder`. */
export async function createToken(chain: Chain<ChainNode>, ca: CaKeyPair, name: string, banker: TestAccount, holder: TestAccount): Promise<void> {
  const now = await chainSeconds(chain);
  const certificate = qscCertificate(ca, { chainId: chain.id, name, bankerPublicKey: banker.pubkey, notBefore: now - 600n, notAfter: now + 86_400n });
  await chain.submit(banker, [qscMsg.create({ creator: banker.address, certificate, name, banker: banker.address, initialHolders: [{ address: holder.address, amount: "1000000000" }] })]);
}

/**
 * A relayer process (not started) between `chains` on every route, with relayer key `index`
 * (qcp-relayer-<index>, the key startQcpPair funds and certifies); its config file goes into `dir`.
 */
export async function relayerProcess(chains: Array<Chain<ChainNode>>, index: number, dir: string, overrides: Record<string, unknown> = {}): Promise<RelayerProcess> {
  const key = relayerKey(index);
  const config = {
    chains: chains.map((c) => ({ id: c.id, rpc: c.node.rpcUrl, key })),
    routes: chains.flatMap((from) => chains.filter((to) => to !== from).map((to) => ({ from: from.id, to: to.id }))),
    poll_interval_ms: 500,
    confirm_timeout_ms: 8000,
    ...overrides,
  };
  const file = join(dir, `relayer-${index}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return new RelayerProcess(file, await freePort());
}

/** The relayer keys (qcp-relayer-<i>) and the accounts a QCP network funds. */
export async function qcpAccounts(relayerCount: number) {
  const relayers = await Promise.all(Array.from({ length: relayerCount }, (_, i) => testAccount(`qcp-relayer-${i}`)));
  const [alice, bob, banker] = await Promise.all(["qcp-alice", "qcp-bob", "qcp-banker"].map(testAccount));
  return { relayers, alice, bob, banker, funded: [...relayers, alice, bob, banker].map((a) => ({ address: a.address, coins: "1000000000000uqos" })) };
}

export async function startQcpPair(options: {
  qosChainId?: string; bizChainId?: string; timeoutCommit?: string; relayers?: number;
  /** changes QOS's genesis before it starts (e.g. short governance periods) */
  qosGenesis?: (genesis: any) => void;
} = {}): Promise<QcpPair> {
  const ca = newCaKeyPair();
  const { relayers, alice, bob, banker, funded: accounts } = await qcpAccounts(options.relayers ?? 2);
  const timeoutCommit = options.timeoutCommit ?? "250ms";
  const qosNode = await TestNode.create({ chainId: options.qosChainId ?? "qos-qcp", accounts, timeoutCommit });
  const bizNode = await TestNode.create({ chainId: options.bizChainId ?? "biz-qcp", accounts, timeoutCommit });
  for (const [node, profile] of [[qosNode, "qos"], [bizNode, "business"]] as const) {
    const file = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(file, "utf8"));
    qcpGenesis(genesis, profile, ca);
    if (profile === "qos") options.qosGenesis?.(genesis);
    writeFileSync(file, JSON.stringify(genesis, null, 2));
  }
  const processes: RelayerProcess[] = [];
  try {
    await Promise.all([qosNode.start(), bizNode.start()]);
    const qos = new Chain(qosNode, qosNode.chainId);
    const biz = new Chain(bizNode, bizNode.chainId);
    await connectChains(qos, biz, ca, relayers, alice);
    const token = "STAR";
    await createToken(biz, ca, token, banker, alice);

    const pair: QcpPair = {
      qos, biz, ca, relayers, alice, bob, banker, token,
      async relayer(index, overrides = {}) {
        const p = await relayerProcess([qos, biz], index, bizNode.home, overrides);
        processes.push(p);
        return p;
      },
      async destroy() {
        for (const p of processes) await p.kill();
        await Promise.all([qosNode.destroy(), bizNode.destroy()]);
      },
    };
    return pair;
  } catch (e) {
    await Promise.all([qosNode.destroy(), bizNode.destroy()]);
    throw e;
  }
}

export { sleep };
