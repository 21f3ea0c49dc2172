// The simulated world: accounts, certificate authorities, the chain under test and a counterpart chain
// for QCP, and the helpers traffic generators share (state reads, signers, amounts, targets).
import { createPrivateKey, createPublicKey } from "node:crypto";
import { toBase64, toBech32 } from "@cosmjs/encoding";
import type { CaKeyPair } from "../app/certificate.js";
import { moduleAddress, toAccAddress } from "../app/address.js";
import type { KVReader } from "../app/state/kv.js";
import type { Rng } from "./rng.js";
import { SimChain } from "./chain.js";
import { buildTx, consensusKey, simAccount, type Msg, type SignerSpec, type SimAccount, type TxSpec } from "./tx.js";

export const QOS = 1_000_000n;
export const ChainId = "qos-sim-1";
export const PeerChainId = "qos-sim-peer";
export const GenesisSeconds = 1_800_000_000n;
/** software-upgrade plans the simulated node has "installed" (a passed plan with this name does not stop it) */
export const UpgradesDone = ["sim-upgrade-a", "sim-upgrade-b", "sim-upgrade-c"];

export const ModuleAccountNames = ["fee_collector", "stake_pool", "distribution", "gov", "qcp_escrow", "qsc_frozen"];
export const TokenNames = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT"];

/** 2^64, 2^256 and friends: amounts a hostile sender tries */
export const ExtremeAmounts = [
  "0", "1", "18446744073709551615", "18446744073709551616", (1n << 255n).toString(),
  ((1n << 256n) - 1n).toString(), (1n << 256n).toString(), "-5", "-0", "0x10", " 7", "7 ", "1e6", "", "007", "1.5", "9".repeat(90), "１２",
];

export function caKeyPair(name: string): CaKeyPair {
  // a deterministic ed25519 key: PKCS#8 wrapping of a 32-byte seed
  const seed = Buffer.from(simAccount(`ca-${name}`).privateKey);
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({ format: "jwk" });
  return { privateKey: new Uint8Array(seed), publicKey: new Uint8Array(Buffer.from(jwk.x!, "base64url")) };
}

export interface Planned {
  /** what it is, for the summary: a message type URL, or "raw:<what>" */
  kind: string;
  bytes: Uint8Array;
  /** the hostile twist, if any */
  hostile?: string;
}

export class World {
  readonly users: SimAccount[];
  /** accounts that never received anything */
  readonly ghosts: SimAccount[];
  readonly guardian: SimAccount;
  readonly relayer: SimAccount;
  /** a funded account outside the random traffic that sends the hostile QCP deliveries and client
   *  updates, so its txs reach the qcp checks instead of colliding with another tx's sequence */
  readonly forger = simAccount("qcp-forger");
  readonly qscCa = caKeyPair("qsc");
  readonly qcpCa = caKeyPair("qcp");
  readonly otherCa = caKeyPair("rogue");
  readonly genesisValidators: Array<{ owner: SimAccount; consKey: Uint8Array }>;
  /** next sequence per address within the block being built (CheckTx-accepted txs bump it) */
  private readonly nextSeq = new Map<string, bigint>();
  private consKeyCounter = 0;
  /** tx bytes accepted in recent blocks, for replays */
  readonly recentAccepted: Uint8Array[] = [];
  /** what earlier txs aimed at, so later ones find it: frozen holdings, added guardians */
  readonly frozen: Array<[string, SimAccount]> = [];
  readonly addedGuardians: SimAccount[] = [];
  chain!: SimChain;
  peer!: SimChain;

  constructor(readonly rng: Rng, userCount: number) {
    this.users = Array.from({ length: userCount }, (_, i) => simAccount(`user-${i}`));
    this.ghosts = Array.from({ length: 4 }, (_, i) => simAccount(`ghost-${i}`));
    this.guardian = this.users[userCount - 1];
    this.relayer = this.users[userCount - 2];
    this.genesisValidators = this.users.slice(0, 4).map((owner, i) => ({ owner, consKey: consensusKey(`genesis-${i}`) }));
  }

  get reader(): KVReader {
    return this.chain.app.store.latest.reader;
  }

  /** a fresh consensus key (never used) */
  newConsKey(): Uint8Array {
    return consensusKey(`joined-${this.consKeyCounter++}`);
  }

  setSequence(chain: SimChain, a: SimAccount, next: bigint): void {
    this.nextSeq.set(`${chain.chainId}/${a.address}`, next);
  }

  resetSequences(): void {
    this.nextSeq.clear();
  }

  accountNumber(chain: SimChain, a: SimAccount): bigint {
    return chain.app.keepers.auth.getAccount(chain.app.store.latest.reader, a.bytes)?.accountNumber ?? 0n;
  }

  sequence(chain: SimChain, a: SimAccount): bigint {
    const key = `${chain.chainId}/${a.address}`;
    return this.nextSeq.get(key) ?? chain.app.keepers.auth.getAccount(chain.app.store.latest.reader, a.bytes)?.sequence ?? 0n;
  }

  signer(chain: SimChain, a: SimAccount): SignerSpec {
    return { account: a, accountNumber: this.accountNumber(chain, a), sequence: this.sequence(chain, a) };
  }

  /** CheckTx the tx now (the mempool's view); when it passes, its signers' sequences move on. */
  submit(chain: SimChain, spec: TxSpec, bytes = buildTx(chain.app.router, spec)): { bytes: Uint8Array; code: number } {
    const res = chain.checkTx(bytes);
    if (res.code === 0) {
      for (const s of spec.signers) this.nextSeq.set(`${chain.chainId}/${s.account.address}`, this.sequence(chain, s.account) + 1n);
    }
    return { bytes, code: res.code };
  }

  /** A normal tx: signed correctly by `signers` with a fee that meets the minimum gas price. */
  spec(chain: SimChain, signers: SimAccount[], msgs: Msg[]): TxSpec {
    return {
      msgs,
      signers: signers.map((a) => this.signer(chain, a)),
      chainId: chain.chainId,
      fee: [{ denom: "uqos", amount: "25000" }],
      gas: 1_000_000n,
    };
  }

  balance(a: Uint8Array, denom = "uqos"): bigint {
    return this.chain.app.keepers.bank.getBalance(this.reader, a, denom);
  }

  /** 1..max (1 when max < 1) */
  amount(max: bigint): bigint {
    return max < 1n ? 1n : 1n + this.rng.bigint(max);
  }

  /** an amount string: mostly a valid share of `max`, when hostile sometimes an extreme one */
  amountText(max: bigint, hostile: boolean): string {
    if (hostile && this.rng.chance(500)) return this.rng.pick(ExtremeAmounts);
    return this.amount(max).toString();
  }

  user(): SimAccount {
    return this.rng.pick(this.users);
  }

  /** remembers an item (bounded, oldest first out) */
  remember<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > 40) list.shift();
  }

  /** A recipient: mostly a user; when hostile a module account, an unfunded or aliased address, or junk. */
  target(hostile: boolean): string {
    if (!hostile) return this.rng.chance(900) ? this.user().address : this.rng.pick(this.ghosts).address;
    switch (this.rng.int(8)) {
      case 0:
      case 1:
        return toAccAddress(moduleAddress(this.rng.pick(ModuleAccountNames)));
      case 2:
        return this.user().address.toUpperCase(); // the same account, another spelling
      case 3:
        return this.rng.pick(["", "qosacc1", "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", "qosacc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "x".repeat(300)]);
      case 4:
        return toBech32("qosacc", this.rng.bytes(this.rng.pick([0, 1, 19, 21, 32, 64])), 200);
      default:
        return this.user().address;
    }
  }

  /** the chain under test's genesis; `peerClient`: its light client of the peer (qcp genesis chains[].client) */
  genesisAppState(peerClient?: Record<string, unknown>): Record<string, unknown> {
    const all = [...this.users, this.forger];
    return {
      auth: { accounts: all.map((a) => ({ address: a.address })) },
      bank: { balances: all.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1_000_000n * QOS) }] })) },
      qsc: { root_ca_public_key: toBase64(this.qscCa.publicKey) },
      qcp: { root_ca_public_key: toBase64(this.qcpCa.publicKey), chains: [{ chain_id: PeerChainId, relayers: [this.relayer.address], ...(peerClient ? { client: peerClient } : {}) }] },
      guardian: { guardians: [{ address: this.guardian.address, type: "genesis", description: "sim genesis guardian" }] },
      stake: {
        params: {
          max_validators: 6, voting_status_len: 20, voting_status_least: 14, survival_secs: 400, unbonding_secs: 90,
          slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "0.8",
        },
      },
      gov: {
        params: {
          normal: govLevel(10n * QOS),
          important: govLevel(20n * QOS),
          critical: govLevel(40n * QOS),
        },
      },
    };
  }

  peerAppState(): Record<string, unknown> {
    return {
      auth: { accounts: this.users.map((a) => ({ address: a.address })) },
      bank: { balances: this.users.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1_000_000n * QOS) }, { denom: "PEERX", amount: "1000000000" }] })) },
      qcp: { root_ca_public_key: toBase64(this.qcpCa.publicKey), chains: [{ chain_id: ChainId, relayers: [this.relayer.address] }] },
    };
  }
}

function govLevel(minDeposit: bigint) {
  return {
    min_deposit: minDeposit.toString(), min_initial_deposit_rate: "0.25", max_deposit_period_secs: 60, voting_period_secs: 90,
    quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
  };
}
