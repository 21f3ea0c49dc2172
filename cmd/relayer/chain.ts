// One chain as the relayer sees it: CometBFT JSON-RPC (HTTP) for queries, proofs, headers and broadcast,
// the relayer's signing key on that chain, and a WebSocket subscription to `qcp.to` events. What a
// node says is not trusted here: headers are checked by the destination's light client rules
// (client.ts) and proofs against the verified app hash (route.ts).
import { DirectSecp256k1HdWallet, DirectSecp256k1Wallet, Registry, encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { stringToPath } from "@cosmjs/crypto";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { AccountPrefix } from "../../app/address.js";
import { feeForGas, parseGasPrice } from "../../app/coins.js";
import { DefaultHdPath } from "../../client/keyring.js";
import { MsgCreateSubstitute, MsgRecvQcp, MsgSubmitMisbehaviour, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import { rpcCall } from "../common/processes.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse, QuerySequencesRequest, QuerySequencesResponse,
  QuerySubstitutesRequest, QuerySubstitutesResponse, type SubstituteInfo,
} from "../../gen/qos/qcp/v1/query.js";
import { lightBlockFromRpc, validatorSetFromRpc, type LightBlock, type ValidatorSet } from "../../app/light/index.js";
import { Codespace as QcpCodespace, QcpErrors } from "../../modules/qcp/errors.js";
import type { ChainConfig } from "./config.js";
import { Method, TypeUrl } from "../../gen/names.js";

export const registry = new Registry([
  [TypeUrl.qos.qcp.v1.MsgRecvQcp, MsgRecvQcp as never],
  [TypeUrl.qos.qcp.v1.MsgUpdateClient, MsgUpdateClient as never],
  [TypeUrl.qos.qcp.v1.MsgSubmitMisbehaviour, MsgSubmitMisbehaviour as never],
  [TypeUrl.qos.qcp.v1.MsgCreateSubstitute, MsgCreateSubstitute as never],
]);
const hdPath = stringToPath(DefaultHdPath);

/** A query the node answered with a non-zero code (`code`: the module's error number). */
export class RpcError extends Error {
  constructor(message: string, readonly code = 0, readonly codespace = "") {
    super(message);
  }
}
interface AbciResponse { code: number; codespace?: string; log: string; value: string | null; height: string; proofOps?: { ops: { data: string }[] } }
export interface AbciAnswer { value: Uint8Array; proof?: Uint8Array; height: number }
function abciParams(path: string, data: Uint8Array, height: number, prove: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = { path, data: Buffer.from(data).toString("hex"), prove };
  if (height) params.height = String(height);
  return params;
}

/** qcp's "no light client" / "no consensus state at this height" answers. */
const NotFoundCodes = new Set([QcpErrors.clientNotFound.code, QcpErrors.consensusStateNotFound.code]);

export class ChainClient {
  readonly id: string;
  private signer?: { wallet: OfflineDirectSigner; address: string; pubkey: Uint8Array };
  private ws?: { client: Comet38Client };
  // recent headers and sets by height: a round reads the client's latest header, the target and the
  // sets around them, mostly the same ones as the round before
  private readonly blocks = new Map<bigint, LightBlock>();
  private readonly sets = new Map<bigint, ValidatorSet>();

  constructor(readonly config: ChainConfig) {
    this.id = config.id;
  }

  rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return rpcCall<T>(this.config.rpc, method, params, this.id);
  }

  async latestHeight(): Promise<number> {
    const status = await this.rpc<{ sync_info: { latest_block_height: string } }>("status");
    return Number(status.sync_info.latest_block_height);
  }

  async abciQuery(path: string, data: Uint8Array, height = 0, prove = false): Promise<AbciAnswer> {
    return this.abciAnswer(path, await this.rpc<{ response: AbciResponse }>("abci_query", abciParams(path, data, height, prove)));
  }

  /**
   * `abci_query` of each of `keys` under one path and height, as JSON-RPC batches of at most
   * `batchSize` calls (CometBFT's rpc.max_request_batch_size, 10 by default): one HTTP round trip per
   * batch instead of one per key, which is most of the relayer's and the node's RPC cost per entry.
   * Answers in the order of `keys`.
   */
  async abciQueryMany(path: string, keys: Uint8Array[], height: number, prove: boolean, batchSize: number): Promise<AbciAnswer[]> {
    const answers: AbciAnswer[] = [];
    for (let i = 0; i < keys.length; i += batchSize) {
      const chunk = keys.slice(i, i + batchSize);
      const res = await fetch(this.config.rpc, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(chunk.map((key, id) => ({ jsonrpc: "2.0", id, method: "abci_query", params: abciParams(path, key, height, prove) }))),
        signal: AbortSignal.timeout(10_000),
      });
      type Item = { id: number; result?: { response: AbciResponse }; error?: { message: string; data?: string } };
      const body = (await res.json()) as Item[] | Item;
      // (CometBFT answers a batch of one with a bare object)
      const byId = new Map((Array.isArray(body) ? body : [body]).map((item) => [item.id, item]));
      for (let id = 0; id < chunk.length; id++) {
        const item = byId.get(id);
        if (!item?.result) throw new Error(`${this.id} abci_query: ${item?.error?.message ?? "no answer"} ${item?.error?.data ?? ""}`);
        answers.push(this.abciAnswer(path, item.result));
      }
    }
    return answers;
  }

  private abciAnswer(path: string, { response }: { response: AbciResponse }): AbciAnswer {
    if (response.code !== 0) throw new RpcError(`${this.id} ${path}: code ${response.code}: ${response.log}`, response.code, response.codespace ?? "");
    return {
      value: Buffer.from(response.value ?? "", "base64"),
      proof: response.proofOps?.ops?.[0] ? Buffer.from(response.proofOps.ops[0].data, "base64") : undefined,
      height: Number(response.height),
    };
  }

  async sequences(other: string, height = 0): Promise<QuerySequencesResponse> {
    const { value } = await this.abciQuery(Method.qos.qcp.v1.Query.Sequences, QuerySequencesRequest.encode({ chainId: other }).finish(), height);
    return QuerySequencesResponse.decode(value);
  }

  /** Header `height` with its commit and the set that signed it, as the node reports them (unverified). */
  async lightBlock(height: bigint): Promise<LightBlock> {
    return cached(this.blocks, height, async () => lightBlockFromRpc(await this.rpc("commit", { height: String(height) }), await this.validatorList(height)));
  }

  /** The validator set of `height` (all pages), as the node reports it. */
  async validatorSet(height: bigint): Promise<ValidatorSet> {
    return cached(this.sets, height, async () => validatorSetFromRpc(await this.validatorList(height)));
  }

  private async validatorList(height: bigint): Promise<unknown[]> {
    const validators: unknown[] = [];
    for (let page = 1; ; page++) {
      const res = await this.rpc<{ validators: unknown[]; total: string }>("validators", { height: String(height), page: String(page), per_page: "100" });
      validators.push(...res.validators);
      if (validators.length >= Number(res.total) || res.validators.length === 0) return validators;
    }
  }

  /** This chain's light client of `chain` (undefined if it has none). */
  async client(chain: string): Promise<QueryClientResponse | undefined> {
    try {
      const { value } = await this.abciQuery(Method.qos.qcp.v1.Query.Client, QueryClientRequest.encode({ chainId: chain }).finish());
      return QueryClientResponse.decode(value);
    } catch (e) {
      if (e instanceof RpcError && e.codespace === QcpCodespace && NotFoundCodes.has(e.code)) return undefined;
      throw e;
    }
  }

  /** The consensus state this chain's client of `chain` keeps at header height `height` (undefined if none). */
  /** The substitute clients of `chain` here (governance recovery), by id. */
  async substitutes(chain: string): Promise<SubstituteInfo[]> {
    const { value } = await this.abciQuery(Method.qos.qcp.v1.Query.Substitutes, QuerySubstitutesRequest.encode({ chainId: chain }).finish());
    return QuerySubstitutesResponse.decode(value).substitutes;
  }

  async consensusState(chain: string, height: bigint): Promise<QueryConsensusStateResponse | undefined> {
    try {
      const { value } = await this.abciQuery(Method.qos.qcp.v1.Query.ConsensusState, QueryConsensusStateRequest.encode({ chainId: chain, height }).finish());
      return QueryConsensusStateResponse.decode(value);
    } catch (e) {
      if (e instanceof RpcError && e.codespace === QcpCodespace && NotFoundCodes.has(e.code)) return undefined;
      throw e;
    }
  }

  /** Committed txs matching a CometBFT event query (first page of `perPage`), as raw tx bytes. */
  async searchTxs(query: string, perPage = 20): Promise<Uint8Array[]> {
    const res = await this.rpc<{ txs: { tx: string }[] }>("tx_search", { query, page: "1", per_page: String(perPage), order_by: "desc" });
    return res.txs.map((t) => new Uint8Array(Buffer.from(t.tx, "base64")));
  }

  async account(): Promise<{ address: string; accountNumber: bigint; sequence: bigint }> {
    const signer = await this.getSigner();
    const { value } = await this.abciQuery(Method.cosmos.auth.v1beta1.Query.Account, QueryAccountRequest.encode({ address: signer.address }).finish());
    const account = BaseAccount.decode(QueryAccountResponse.decode(value).account!.value);
    return { address: signer.address, accountNumber: account.accountNumber, sequence: account.sequence };
  }

  async getSigner() {
    if (this.signer) return this.signer;
    const key = this.config.key;
    let wallet: OfflineDirectSigner;
    let secret = key.mnemonic ?? key.private_key_hex;
    if (key.key_file) secret = readFileSync(key.key_file, "utf8").trim();
    if (!secret) throw new Error(`chain ${this.id}: no relayer key`);
    if (/^[0-9a-fA-F]{64}$/.test(secret)) wallet = await DirectSecp256k1Wallet.fromKey(Buffer.from(secret, "hex"), AccountPrefix);
    else {
      try {
        const parsed = JSON.parse(secret) as { mnemonic?: string };
        if (parsed.mnemonic) secret = parsed.mnemonic;
      } catch {
        // a bare mnemonic
      }
      wallet = await DirectSecp256k1HdWallet.fromMnemonic(secret, { prefix: AccountPrefix, hdPaths: [hdPath] });
    }
    const [account] = await wallet.getAccounts();
    this.signer = { wallet, address: account.address, pubkey: account.pubkey };
    return this.signer;
  }

  /** Signs `msgs` with the relayer key, broadcasts (sync) and returns the CheckTx answer and tx hash. */
  async signAndBroadcast(msgs: EncodeObject[], gas: bigint, account?: { accountNumber: bigint; sequence: bigint }): Promise<{ code: number; log: string; hash: string }> {
    const signer = await this.getSigner();
    const { accountNumber, sequence } = account ?? (await this.account());
    const price = parseGasPrice(this.config.gas_price);
    const fee = [{ denom: price.denom, amount: feeForGas(gas, price).toString() }];
    const bodyBytes = registry.encode({ typeUrl: TypeUrl.cosmos.tx.v1beta1.TxBody, value: { messages: msgs, memo: "qcp-relayer" } });
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(signer.pubkey)), sequence }], fee, Number(gas), undefined, undefined);
    const { signature } = await signer.wallet.signDirect(signer.address, makeSignDoc(bodyBytes, authInfoBytes, this.id, Number(accountNumber)));
    const tx = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish();
    const hash = createHash("sha256").update(tx).digest("hex").toUpperCase();
    const res = await this.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    return { code: res.code, log: res.log, hash };
  }

  /** Waits until the tx is in a committed block; its DeliverTx code and codespace (undefined on timeout; timeout 0 looks once). */
  async waitForTx(hash: string, timeoutMs: number): Promise<{ code: number; codespace: string; log: string; height: number } | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.config.rpc}/tx?hash=0x${hash}`, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as { result?: { height: string; tx_result: { code: number; codespace: string; log: string } } };
        if (body.result) return { ...body.result.tx_result, height: Number(body.result.height) };
      } catch {
        // node busy or restarting
      }
      if (Date.now() >= deadline) return undefined;
      await sleep(150);
    }
  }

  /** Subscribes to Tx events with `qcp.to='<to>'`; calls `onEvent` for each; reconnects on loss. */
  subscribe(to: string, onEvent: () => void, log: (line: string) => void): () => void {
    let stopped = false;
    const connect = async () => {
      if (stopped) return;
      try {
        const url = this.config.rpc.replace(/^http/, "ws") + "/websocket";
        const ws = new WebsocketClient(url, (e) => {
          log(`${this.id}: websocket error (${e.message}); polling until it reconnects`);
          retry();
        });
        const client = Comet38Client.create(ws);
        this.ws = { client };
        client.subscribeTx(`tm.event='Tx' AND qcp.to='${to}'`).addListener({
          next: () => onEvent(),
          error: (e: Error) => {
            log(`${this.id}: subscription error (${e.message ?? e}); polling until it reconnects`);
            retry();
          },
          complete: () => retry(),
        });
      } catch (e) {
        log(`${this.id}: cannot subscribe (${(e as Error).message}); polling`);
        retry();
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const retry = () => {
      try {
        this.ws?.client.disconnect();
      } catch {
        // already closed
      }
      this.ws = undefined;
      if (!stopped && !timer) timer = setTimeout(() => ((timer = undefined), void connect()), 2000);
    };
    void connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      try {
        this.ws?.client.disconnect();
      } catch {
        // closed
      }
    };
  }
}

const CacheSize = 64;
async function cached<T>(cache: Map<bigint, T>, height: bigint, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(height);
  if (hit) return hit;
  const value = await load();
  cache.set(height, value);
  if (cache.size > CacheSize) cache.delete(cache.keys().next().value!);
  return value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
