// QCP between a multi-validator QOS network and a business chain, on one machine: QOS is a testnet
// (testnet.ts: 4 gentx validators by default, real CometBFT each), the business chain one qosd node;
// both trust the same QCP root CA, register each other (connectChains, as qcp-pair.ts does), a QSC
// token STAR lives on the business chain and MOON on QOS. The QOS validator set can change mid-run (addValidator: a
// new node and its owner's MsgCreateValidator; removeValidator: its owner's MsgRevokeValidator), so a
// light client of QOS on the business chain has to follow set changes. Used by
// test/e2e/qcp-dishonest.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { newCaKeyPair, type CaKeyPair } from "../app/certificate.js";
import { AccountPrefix } from "../app/address.js";
import { Method, TypeUrl } from "../gen/names.js";
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { TestNode } from "../test/helpers/node.js";
import { stakeMsg } from "../test/helpers/stake.js";
import type { TestAccount } from "../test/helpers/wallet.js";
import { ChainClient } from "../cmd/relayer/chain.js";
import { ChainSchema } from "../cmd/relayer/config.js";
import { Chain, connectChains, relayerKey, type ChainNode, type QcpPair, createToken, qcpAccounts, qcpGenesis, relayerProcess, type RelayerProcess } from "./qcp-pair.js";
import { createTestnet, type Testnet, type TestnetNode, type StakeParamsOverride } from "./testnet.js";

export interface QcpNetworkOptions {
  qosChainId?: string;
  bizChainId?: string;
  /** QOS genesis validators (default 4) */
  validators?: number;
  /** block interval of both chains (default 500ms) */
  timeoutCommit?: string;
  /** relayer keys funded on both chains and certified by MsgInitQcp (qcp-relayer-<i>; default 2) */
  relayers?: number;
  /** QOS stake params over LocalStakeParams (default: a keep-alive window long enough that a validator
   *  slowed down by a busy machine is not made inactive, so only addValidator/removeValidator move the set) */
  stakeParams?: StakeParamsOverride;
}

export interface QcpNetwork extends QcpPair<TestnetNode> {
  qosNet: Testnet;
  /** a QSC token of QOS (alice holds 10^9 of it; `token`, STAR, is the business chain's) */
  qosToken: string;
  /** a new QOS node joins and becomes a validator (power `power`): returns it and the height of its MsgCreateValidator */
  addValidator(power?: number): Promise<{ node: TestnetNode; height: number }>;
  /** the node's owner revokes its validator (it leaves CometBFT's set two blocks later); returns the tx height */
  removeValidator(node: TestnetNode): Promise<number>;
  /** the relayer code's clients of QOS and of the business chain, signing with relayer key `index` */
  chainClients(index: number): { qos: ChainClient; biz: ChainClient };
  /** CometBFT's validator set of QOS at a height (default latest): consensus addresses */
  qosValidators(height?: number): Promise<string[]>;
  destroy(): Promise<void>;
}

const QOS = 1_000_000n;

type Attr = { key: string; value: string };
interface IndexedTx {
  height: string;
  tx_result: { code: number; gas_used: string; events: Array<{ type: string; attributes: Attr[] }> };
}

/** A committed tx on a destination that delivered entries of `src` (qcp_recv events): its height, gas and sequences. */
export interface DeliveryTx {
  height: number;
  code: number;
  gasUsed: bigint;
  sequences: bigint[];
  /** the payload outcome of each delivery (0 = it ran) */
  outcomes: number[];
  /** the source height each delivery was proven at */
  proofHeights: number[];
}

/** Every committed tx on `dst` with qcp_recv events from `src`, in block order (tx_search, 100 a page). */
export async function deliveryTxs(dst: Chain<ChainNode>, src: string): Promise<DeliveryTx[]> {
  const out: DeliveryTx[] = [];
  for (let page = 1; ; page++) {
    const res = await dst.node.rpc<{ txs: IndexedTx[]; total_count: string }>("tx_search", {
      query: `qcp_recv.from='${src}'`, page: String(page), per_page: "100", order_by: "asc",
    });
    for (const tx of res.txs) {
      const recvs = tx.tx_result.events
        .filter((e) => e.type === "qcp_recv")
        .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))
        .filter((a) => a.from === src);
      out.push({
        height: Number(tx.height), code: tx.tx_result.code, gasUsed: BigInt(tx.tx_result.gas_used),
        sequences: recvs.map((a) => BigInt(a.sequence)), outcomes: recvs.map((a) => Number(a.code)), proofHeights: recvs.map((a) => Number(a.proof_height)),
      });
    }
    if (page * 100 >= Number(res.total_count)) break;
  }
  return out;
}

/** The relayer code's client of each chain, signing with relayer key `index` (qcp-relayer-<index>). */
export const chainClients = (chains: Array<Chain<ChainNode>>, index: number): ChainClient[] =>
  chains.map((c) => new ChainClient(ChainSchema.parse({ id: c.id, rpc: c.node.rpcUrl, key: relayerKey(index) })));

/** Every balance of an account (one page: test accounts hold a few denoms). */
export async function allBalances(chain: Chain<ChainNode>, address: string): Promise<Array<{ denom: string; amount: string }>> {
  const req = QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address })).finish();
  return QueryAllBalancesResponse.decode(await chain.query(Method.cosmos.bank.v1beta1.Query.AllBalances, req)).balances;
}

/** The owner account of a QOS testnet node, from the testnet keyring. */
async function ownerAccount(net: Testnet, node: TestnetNode): Promise<TestAccount> {
  const wallet = await DirectSecp256k1Wallet.fromKey(await net.ownerPrivateKey(node), AccountPrefix);
  const [account] = await wallet.getAccounts();
  return { wallet, address: account.address, pubkey: account.pubkey };
}

export async function startQcpNetwork(options: QcpNetworkOptions = {}): Promise<QcpNetwork> {
  const ca = newCaKeyPair();
  const { relayers, alice, bob, banker, funded } = await qcpAccounts(options.relayers ?? 2);
  const timeoutCommit = options.timeoutCommit ?? "500ms";
  const qosNet = await createTestnet({
    validators: options.validators ?? 4,
    chainId: options.qosChainId ?? "qos-net-qcp",
    accounts: funded,
    timeoutCommit,
    timeoutPropose: "1s",
    env: { QOS_CHECK_INVARIANTS: "1" },
    stakeParams: { voting_status_len: 100, voting_status_least: 10, survival_secs: 3600, ...options.stakeParams },
    genesisPatch: (genesis) => qcpGenesis(genesis, "qos", ca),
  });
  const bizNode = await TestNode.create({ chainId: options.bizChainId ?? "biz-net-qcp", accounts: funded, timeoutCommit, profile: "business" });
  const file = join(bizNode.home, "config/genesis.json");
  const genesis = JSON.parse(readFileSync(file, "utf8"));
  qcpGenesis(genesis, "business", ca);
  writeFileSync(file, JSON.stringify(genesis, null, 2));
  const processes: RelayerProcess[] = [];
  const destroy = async () => {
    for (const p of processes) await p.kill();
    await Promise.all([qosNet.destroy(), bizNode.destroy()]);
  };
  try {
    await Promise.all([qosNet.startAll(), bizNode.start()]);
    const qos = new Chain(qosNet.nodes[0], qosNet.chainId);
    const biz = new Chain(bizNode, bizNode.chainId);
    await connectChains(qos, biz, ca, relayers, alice);
    const [token, qosToken] = ["STAR", "MOON"];
    await Promise.all([createToken(biz, ca, token, banker, alice), createToken(qos, ca, qosToken, banker, alice)]);

    const network: QcpNetwork = {
      qos, qosNet, biz, ca, relayers, alice, bob, banker, token, qosToken,
      async relayer(index, overrides = {}) {
        const p = await relayerProcess([qos, biz], index, bizNode.home, overrides);
        processes.push(p);
        return p;
      },
      async addValidator(power = 10) {
        const node = await qosNet.addFullNode();
        await node.start();
        await node.waitForHeight(await qosNet.nodes[0].height(), 120_000);
        const owner = await ownerAccount(qosNet, node);
        const bond = BigInt(power) * QOS;
        await qos.submit(alice, [{
          typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend,
          value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: owner.address, amount: [{ denom: "uqos", amount: String(bond + 10n * QOS) }] }),
        }]);
        const created = await qos.submit(owner, [stakeMsg.createValidator(owner.address, node.consensusPubkey, String(bond), node.name)]);
        return { node, height: created.height };
      },
      async removeValidator(node) {
        const owner = await ownerAccount(qosNet, node);
        return (await qos.submit(owner, [stakeMsg.revoke(owner.address)])).height;
      },
      chainClients(index) {
        const [q, b] = chainClients([qos, biz], index);
        return { qos: q, biz: b };
      },
      async qosValidators(height) {
        const res = await qosNet.nodes[0].rpc<{ validators: Array<{ address: string }> }>("validators", { ...(height ? { height: String(height) } : {}), per_page: "100" });
        return res.validators.map((v) => v.address).sort();
      },
      destroy,
    };
    return network;
  } catch (e) {
    await destroy();
    throw e;
  }
}
