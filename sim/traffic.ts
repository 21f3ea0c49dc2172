// Traffic generators: one per message type the app routes (valid, and with `hostile` a twisted variant),
// plus tx-level attacks (replays, wrong signers/sequences/chain ids, oversized and malformed bytes).
// Each generator reads the committed state to aim at things that exist, then signs through World.
import { issueCertificate } from "../app/certificate.js";
import { canonicalDec } from "../app/decimal.js";
import { ValidatorStatus } from "../gen/qos/stake/v1/types.js";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Msg, SimAccount, TxSpec } from "./tx.js";
import { buildTx } from "./tx.js";
import { ChainId, ExtremeAmounts, GenesisSeconds, PeerChainId, QOS, TokenNames, UpgradesDone, type World } from "./world.js";
import type { SimChain } from "./chain.js";
import { AppVersion } from "../app/app.js";
import { toValAddress as stakeValAddress } from "../modules/stake/index.js";
import { voucherDenom } from "../modules/qcp/index.js";
import { shareDenom } from "../modules/exchange/index.js";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";

/** A generator: the signers and messages of one tx, or undefined when there is nothing sensible to do. */
export type Generator = (w: World, hostile: boolean) => { signers: SimAccount[]; msgs: Msg[] } | undefined;


interface ValidatorView {
  owner: Uint8Array;
  ownerAccount?: SimAccount;
  status: ValidatorStatus;
  tokens: bigint;
  consensusPubkey: Uint8Array;
  operator: string;
}

function validators(w: World): ValidatorView[] {
  const stake = w.chain.app.keepers.stake;
  if (!stake) return [];
  return [...stake.allValidators(w.reader)].map(([owner, v]) => ({
    owner,
    ownerAccount: w.users.find((u) => Buffer.from(u.bytes).equals(Buffer.from(owner))),
    status: v.status,
    tokens: BigInt(v.tokens),
    consensusPubkey: v.consensusPubkey,
    operator: stakeValAddress(owner),
  }));
}

function delegationOf(w: World, delegator: SimAccount, owner: Uint8Array): bigint {
  const d = w.chain.app.keepers.stake!.getDelegation(w.reader, delegator.bytes, owner);
  return d ? BigInt(d.amount) : 0n;
}

/** some existing token (name, banker account) when any */
function tokens(w: World): Array<{ name: string; banker?: SimAccount; paused: boolean }> {
  const out = [];
  for (const name of TokenNames) {
    const t = w.chain.app.keepers.qsc.getToken(w.reader, name);
    if (t) out.push({ name, banker: w.users.find((u) => u.address === t.banker), paused: t.paused });
  }
  return out;
}

function denom(w: World): string {
  const ts = tokens(w);
  return ts.length > 0 && w.rng.chance(300) ? w.rng.pick(ts).name : "uqos";
}

function coinAmount(w: World, from: SimAccount, d: string, hostile: boolean): string {
  return w.amountText(w.balance(from.bytes, d) / 4n, hostile);
}

const proposalStatus = { deposit: 1, voting: 2 } as const;

function proposals(w: World, status: number): bigint[] {
  const gov = w.chain.app.keepers.gov;
  if (!gov) return [];
  const next = gov.nextId(w.reader);
  const out: bigint[] = [];
  for (let id = next - 1n; id >= 1n && id >= next - 30n; id--) if (gov.getProposal(w.reader, id)?.status === status) out.push(id);
  return out;
}

// ---- bank ----

const send: Generator = (w, hostile) => {
  const from = w.user();
  const d = denom(w);
  return {
    signers: [from],
    msgs: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: w.target(hostile), amount: [{ denom: d, amount: coinAmount(w, from, d, hostile) }] } }],
  };
};

const multiTransfer: Generator = (w, hostile) => {
  const n = w.rng.range(1, 3);
  const senders = [...new Set(Array.from({ length: n }, () => w.user()))];
  const d = denom(w);
  const parts = senders.map((s) => ({ s, amount: w.amount(w.balance(s.bytes, d) / 8n) }));
  const total = parts.reduce((x, p) => x + p.amount, 0n);
  const m = w.rng.range(1, 3);
  const receivers: Array<{ address: string; coins: { denom: string; amount: string }[] }> = [];
  let left = total;
  for (let i = 0; i < m && left > 0n; i++) {
    const amount = i === m - 1 ? left : w.amount(left);
    left -= amount;
    receivers.push({ address: w.target(hostile && w.rng.chance(300)), coins: [{ denom: d, amount: amount.toString() }] });
  }
  if (left > 0n) receivers.push({ address: w.user().address, coins: [{ denom: d, amount: left.toString() }] });
  const sendersMsg = parts.map((p) => ({ address: p.s.address, coins: [{ denom: d, amount: p.amount.toString() }] }));
  if (hostile) {
    switch (w.rng.int(5)) {
      case 0: sendersMsg[0].coins[0].amount = (BigInt(sendersMsg[0].coins[0].amount) + 1n).toString(); break; // in ≠ out
      case 1: sendersMsg.push({ ...sendersMsg[0] }); break; // a sender twice
      case 2: sendersMsg[0].coins[0].amount = w.rng.pick(ExtremeAmounts); break;
      case 3: receivers.push({ address: receivers[0].address.toUpperCase(), coins: [{ denom: d, amount: "0" }] }); break;
      default: break;
    }
  }
  return { signers: senders, msgs: [{ typeUrl: "/qos.bank.v1.MsgTransfer", value: { senders: sendersMsg, receivers } }] };
};

// ---- qsc ----

const createQsc: Generator = (w, hostile) => {
  const name = w.rng.pick(TokenNames);
  const banker = w.user();
  const creator = hostile && w.rng.chance(500) ? w.user() : banker; // someone else replaying the banker's certificate
  const now = w.chain.lastTime;
  const cert = issueCertificate(hostile && w.rng.chance(200) ? w.otherCa : w.qscCa, {
    qsc: { chainId: hostile && w.rng.chance(200) ? PeerChainId : ChainId, name, bankerPublicKey: banker.publicKey },
    notBefore: GenesisSeconds - 10n,
    notAfter: hostile && w.rng.chance(200) ? now : now + 1_000_000n,
  });
  const holders = Array.from({ length: w.rng.int(3) }, () => ({ address: w.user().address, amount: w.amountText(10n ** 12n, hostile) }));
  const unique = holders.filter((h, i) => hostile || holders.findIndex((x) => x.address === h.address) === i);
  return {
    signers: [creator],
    msgs: [{
      typeUrl: "/qos.qsc.v1.MsgCreateQsc",
      value: {
        creator: creator.address, certificate: hostile && w.rng.chance(100) ? w.rng.bytes(w.rng.range(1, 5000)) : cert,
        symbol: name.slice(0, 4), decimals: hostile && w.rng.chance(200) ? 19 : 6, description: hostile && w.rng.chance(200) ? "d".repeat(2000) : "sim token",
        initialHolders: unique, name, banker: banker.address,
      },
    }],
  };
};

function tokenAndBanker(w: World, hostile: boolean) {
  const ts = tokens(w);
  if (ts.length === 0) return undefined;
  const t = w.rng.pick(ts);
  const banker = hostile && w.rng.chance(400) ? w.user() : t.banker;
  if (!banker) return undefined;
  return { t, banker };
}

const issueQsc: Generator = (w, hostile) => {
  const tb = tokenAndBanker(w, hostile);
  if (!tb) return undefined;
  return { signers: [tb.banker], msgs: [{ typeUrl: "/qos.qsc.v1.MsgIssueQsc", value: { banker: tb.banker.address, name: tb.t.name, amount: w.amountText(10n ** 9n, hostile) } }] };
};

const freezeLike = (typeUrl: string): Generator => (w, hostile) => {
  const tb = tokenAndBanker(w, hostile);
  if (!tb) return undefined;
  const unfreeze = typeUrl.endsWith("Unfreeze");
  const known = w.frozen.filter(([name]) => name === tb.t.name);
  const holder = unfreeze && known.length > 0 && w.rng.chance(800) ? w.rng.pick(known)[1] : w.user();
  if (!unfreeze) w.remember(w.frozen, [tb.t.name, holder] as [string, SimAccount]);
  const max = unfreeze ? w.chain.app.keepers.qsc.getFrozen(w.reader, tb.t.name, holder.bytes) : w.balance(holder.bytes, tb.t.name);
  return { signers: [tb.banker], msgs: [{ typeUrl, value: { banker: tb.banker.address, name: tb.t.name, holder: hostile ? w.target(true) : holder.address, amount: w.amountText(max, hostile) } }] };
};

const pause: Generator = (w, hostile) => {
  const tb = tokenAndBanker(w, hostile);
  if (!tb) return undefined;
  return { signers: [tb.banker], msgs: [{ typeUrl: "/qos.qsc.v1.MsgPause", value: { banker: tb.banker.address, name: tb.t.name, paused: w.rng.chance(tb.t.paused ? 200 : 600) } }] };
};

// ---- approve ----

function pair(w: World, hostile: boolean): [SimAccount, SimAccount] {
  if (w.rng.chance(700)) {
    // an allowance that exists, between two of the simulation's accounts
    let all: Array<[Uint8Array, Uint8Array, unknown]> = [];
    try {
      all = [...w.chain.app.keepers.approve.all(w.reader)];
    } catch {
      // an allowance the keeper cannot read (issue 10 #9): export will say so at the end
    }
    const existing = all
      .map(([f, t]) => [w.users.find((u) => Buffer.from(u.bytes).equals(Buffer.from(f))), w.users.find((u) => Buffer.from(u.bytes).equals(Buffer.from(t)))])
      .filter((p): p is [SimAccount, SimAccount] => p[0] !== undefined && p[1] !== undefined);
    if (existing.length > 0) return w.rng.pick(existing);
  }
  const from = w.user();
  let to = w.user();
  if (!hostile) while (to === from) to = w.user();
  return [from, to];
}

const approveCoins = (typeUrl: string): Generator => (w, hostile) => {
  const [from, to] = pair(w, hostile);
  const d = denom(w);
  const current = w.chain.app.keepers.approve.get(w.reader, from.bytes, to.bytes)?.find((c) => c.denom === d)?.amount ?? 0n;
  const max = typeUrl.endsWith("Decrease") ? current : w.balance(from.bytes, d) / 4n;
  const amount = hostile && w.rng.chance(300) ? ((1n << 256n) - 1n - current + 1n).toString() : w.amountText(max, hostile);
  return { signers: [from], msgs: [{ typeUrl, value: { from: from.address, to: hostile && w.rng.chance(300) ? w.target(true) : to.address, coins: [{ denom: d, amount }] } }] };
};

const useApprove: Generator = (w, hostile) => {
  const [from, to] = pair(w, hostile);
  const current = w.chain.app.keepers.approve.get(w.reader, from.bytes, to.bytes);
  const coin = current && current.length > 0 ? w.rng.pick(current) : { denom: "uqos", amount: 1n };
  const recipient = w.rng.chance(300) ? w.target(hostile) : "";
  return { signers: [to], msgs: [{ typeUrl: "/qos.approve.v1.MsgUseApprove", value: { from: from.address, to: to.address, coins: [{ denom: coin.denom, amount: w.amountText(coin.amount, hostile) }], recipient } }] };
};

const cancelApprove: Generator = (w, hostile) => {
  const [from, to] = pair(w, hostile);
  return { signers: [from], msgs: [{ typeUrl: "/qos.approve.v1.MsgCancelApprove", value: { from: from.address, to: to.address } }] };
};

// ---- stake / distribution ----

function commission(w: World, hostile: boolean) {
  if (hostile && w.rng.chance(300)) return { rate: w.rng.pick(["1.5", "-0.1", "abc", "0.9", ""]), max: w.rng.pick(["2", "0.1", "1"]), change: w.rng.pick(["0.5", "3"]) };
  return { rate: w.rng.pick(["0", "0.05", "0.1", "0.2"]), max: w.rng.pick(["0.2", "0.5", "0.8"]), change: w.rng.pick(["0.01", "0.05", "0.1"]) };
}

const createValidator: Generator = (w, hostile) => {
  const vals = validators(w);
  const owners = new Set(vals.map((v) => Buffer.from(v.owner).toString("hex")));
  const candidates = w.users.filter((u) => !owners.has(Buffer.from(u.bytes).toString("hex")));
  const owner = candidates.length > 0 && !(hostile && w.rng.chance(200)) ? w.rng.pick(candidates) : w.user();
  let key = w.newConsKey();
  if (hostile && vals.length > 0 && w.rng.chance(500)) key = w.rng.pick(vals).consensusPubkey; // squat a key in use
  else if (hostile && w.rng.chance(300)) key = w.rng.pick(w.genesisValidators).consKey;
  else if (hostile && w.rng.chance(200)) key = w.rng.bytes(w.rng.pick([0, 31, 33, 64]));
  const c = commission(w, hostile);
  return {
    signers: [owner],
    msgs: [{
      typeUrl: "/qos.stake.v1.MsgCreateValidator",
      value: {
        owner: owner.address, consensusPubkey: key, selfBond: w.amountText(w.balance(owner.bytes) / 3n, hostile),
        description: { moniker: hostile && w.rng.chance(200) ? "m".repeat(100) : `sim-${owner.name}`, identity: "", website: "", details: "" },
        commissionRate: c.rate, commissionMaxRate: c.max, commissionMaxChangeRate: c.change,
      },
    }],
  };
};

function someValidator(w: World, hostile: boolean, filter?: (v: ValidatorView) => boolean): ValidatorView | undefined {
  const vals = validators(w).filter((v) => !filter || filter(v));
  if (vals.length === 0) return undefined;
  return w.rng.pick(vals);
}

function ownerOf(w: World, v: ValidatorView | undefined, hostile: boolean): SimAccount | undefined {
  if (hostile && w.rng.chance(300)) return w.user();
  return v?.ownerAccount;
}

const editValidator: Generator = (w, hostile) => {
  const v = someValidator(w, hostile);
  const owner = ownerOf(w, v, hostile);
  if (!owner) return undefined;
  return {
    signers: [owner],
    msgs: [{
      typeUrl: "/qos.stake.v1.MsgEditValidator",
      value: { owner: owner.address, description: { moniker: `edited-${w.rng.int(100)}`, identity: "", website: "", details: hostile ? "x".repeat(w.rng.pick([10, 281])) : "" }, commissionRate: w.rng.chance(500) ? commission(w, hostile).rate : "" },
    }],
  };
};

const revokeValidator: Generator = (w, hostile) => {
  const v = someValidator(w, hostile, (x) => hostile || x.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
  const owner = ownerOf(w, v, hostile);
  if (!owner) return undefined;
  return { signers: [owner], msgs: [{ typeUrl: "/qos.stake.v1.MsgRevokeValidator", value: { owner: owner.address } }] };
};

const activateValidator: Generator = (w, hostile) => {
  const v = someValidator(w, hostile, (x) => hostile || x.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
  const owner = ownerOf(w, v, hostile);
  if (!owner) return undefined;
  return { signers: [owner], msgs: [{ typeUrl: "/qos.stake.v1.MsgActivateValidator", value: { owner: owner.address, extraBond: w.rng.chance(300) ? w.amountText(w.balance(owner.bytes) / 10n, hostile) : "" } }] };
};

const delegate: Generator = (w, hostile) => {
  const v = someValidator(w, hostile, (x) => hostile || x.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
  if (!v) return undefined;
  const d = w.user();
  return { signers: [d], msgs: [{ typeUrl: "/qos.stake.v1.MsgDelegate", value: { delegator: d.address, validator: hostile && w.rng.chance(300) ? w.target(true) : v.operator, amount: w.amountText(w.balance(d.bytes) / 5n, hostile), autoCompound: w.rng.chance(300) } }] };
};

/** a (delegator, validator) pair with a delegation, when there is one among a few tries */
function delegation(w: World): { d: SimAccount; v: ValidatorView; amount: bigint } | undefined {
  const vals = validators(w);
  if (vals.length === 0) return undefined;
  for (let i = 0; i < 6; i++) {
    const d = w.user();
    const v = w.rng.pick(vals);
    const amount = delegationOf(w, d, v.owner);
    if (amount > 0n) return { d, v, amount };
  }
  return undefined;
}

const unbond: Generator = (w, hostile) => {
  const x = delegation(w);
  if (!x) return undefined;
  const all = w.rng.chance(200);
  const amount = hostile && w.rng.chance(300) ? (x.amount + 1n).toString() : w.amountText(x.amount, hostile);
  return { signers: [x.d], msgs: [{ typeUrl: "/qos.stake.v1.MsgUnbond", value: { delegator: x.d.address, validator: x.v.operator, amount: all ? "" : amount, all } }] };
};

const redelegate: Generator = (w, hostile) => {
  const x = delegation(w);
  if (!x) return undefined;
  const to = someValidator(w, hostile, (v) => hostile || (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE && v.operator !== x.v.operator));
  if (!to) return undefined;
  const all = w.rng.chance(150);
  return {
    signers: [x.d],
    msgs: [{ typeUrl: "/qos.stake.v1.MsgRedelegate", value: { delegator: x.d.address, fromValidator: x.v.operator, toValidator: to.operator, amount: all ? "" : w.amountText(x.amount, hostile), all } }],
  };
};

const setAutoCompound: Generator = (w, hostile) => {
  const x = delegation(w);
  const d = x?.d ?? w.user();
  const v = x?.v ?? someValidator(w, hostile);
  if (!v) return undefined;
  return { signers: [d], msgs: [{ typeUrl: "/qos.stake.v1.MsgSetAutoCompound", value: { delegator: d.address, validator: v.operator, autoCompound: w.rng.chance(600) } }] };
};

const withdraw: Generator = (w, hostile) => {
  const x = delegation(w);
  const d = x?.d ?? w.user();
  const v = x?.v ?? someValidator(w, hostile);
  if (!v) return undefined;
  return { signers: [d], msgs: [{ typeUrl: "/qos.distribution.v1.MsgWithdrawRewards", value: { delegator: d.address, validator: v.operator } }] };
};

// ---- gov ----

const ParamChanges: Array<[string, string, () => string[]]> = [
  ["stake", "max_validators", () => ["3", "4", "6", "8"]],
  ["stake", "voting_status_least", () => ["10", "14", "16"]],
  ["stake", "unbonding_secs", () => ["30", "90", "200"]],
  ["bank", "max_transfer_parties", () => ["4", "10", "500"]],
  ["auth", "max_memo_characters", () => ["64", "256", "1000"]],
  ["qsc", "max_initial_holders", () => ["2", "100"]],
  ["qcp", "max_execute_msgs", () => ["1", "16"]],
];
const BadParamChanges = [
  { module: "stake", key: "max_validators", value: "0" },
  { module: "stake", key: "max_validators", value: "-1" },
  { module: "stake", key: "voting_status_least", value: "100000000" },
  { module: "auth", key: "max_tx_bytes", value: "1" },
  { module: "nosuch", key: "x", value: "1" },
  { module: "bank", key: "nosuch", value: "1" },
  { module: "gov", key: "normal", value: "{}" },
  { module: "mint", key: "__proto__", value: "{}" },
];

const submitProposal: Generator = (w, hostile) => {
  const proposer = w.user();
  const kind = w.rng.pick(["text", "parameter_change", "community_pool_spend", "inflation_change", "software_upgrade"] as const);
  const height = w.chain.height;
  const now = w.chain.lastTime;
  const base = { title: `sim ${kind} at ${height}`, description: hostile && w.rng.chance(200) ? "" : "a simulated proposal" };
  let content: Record<string, unknown>;
  switch (kind) {
    case "text": content = { ...base, text: {} }; break;
    case "parameter_change": {
      const changes = hostile && w.rng.chance(500)
        ? [w.rng.pick(BadParamChanges)]
        : [(() => { const [module, key, values] = w.rng.pick(ParamChanges); return { module, key, value: w.rng.pick(values()) }; })()];
      content = { ...base, parameterChange: { changes } };
      break;
    }
    case "community_pool_spend":
      content = { ...base, communityPoolSpend: { recipient: w.target(hostile && w.rng.chance(300)), amount: w.amountText(10n * QOS, hostile) } };
      break;
    case "inflation_change":
      content = { ...base, inflationChange: { phases: [{ endTime: now + BigInt(w.rng.range(-100, 10_000_000)), totalAmount: w.amountText(10n ** 15n, hostile) }] } };
      break;
    default: {
      const name = w.rng.chance(700) ? w.rng.pick(UpgradesDone) : `sim-old-${height}`;
      // a plan this node runs past: an installed name, or a version ≤ this binary's
      content = { ...base, softwareUpgrade: { plan: { name, height: BigInt(height + w.rng.range(hostile ? -5 : 5, 60)), info: "", version: UpgradesDone.includes(name) ? "" : AppVersion } } };
    }
  }
  const level = kind === "text" || kind === "community_pool_spend" ? 10n : kind === "parameter_change" ? 20n : 40n;
  const deposit = w.rng.chance(800) ? (level * QOS) / (w.rng.chance(500) ? 1n : 3n) : w.amount(level * QOS);
  return { signers: [proposer], msgs: [{ typeUrl: "/qos.gov.v1.MsgSubmitProposal", value: { proposer: proposer.address, content, initialDeposit: hostile && w.rng.chance(300) ? w.rng.pick(ExtremeAmounts) : deposit.toString() } }] };
};

const deposit: Generator = (w, hostile) => {
  const open = proposals(w, proposalStatus.deposit);
  const id = open.length > 0 ? w.rng.pick(open) : BigInt(w.rng.range(0, 5));
  const d = w.user();
  return { signers: [d], msgs: [{ typeUrl: "/qos.gov.v1.MsgDeposit", value: { proposalId: id, depositor: d.address, amount: w.amountText(30n * QOS, hostile) } }] };
};

const vote: Generator = (w, hostile) => {
  const open = proposals(w, proposalStatus.voting);
  const id = open.length > 0 ? w.rng.pick(open) : BigInt(w.rng.range(0, 5));
  // validator owners vote often (their stake counts), others sometimes
  const vals = validators(w).filter((v) => v.ownerAccount);
  const voter = vals.length > 0 && w.rng.chance(600) ? w.rng.pick(vals).ownerAccount! : w.user();
  const option = hostile && w.rng.chance(300) ? w.rng.pick([0, 5, 99, -1]) : w.rng.pick([1, 1, 1, 2, 3, 4]);
  return { signers: [voter], msgs: [{ typeUrl: "/qos.gov.v1.MsgVote", value: { proposalId: id, voter: voter.address, option } }] };
};

// ---- guardian ----

const addGuardian: Generator = (w, hostile) => {
  const creator = hostile && w.rng.chance(500) ? w.user() : w.guardian;
  const added = w.user();
  w.remember(w.addedGuardians, added);
  return { signers: [creator], msgs: [{ typeUrl: "/qos.guardian.v1.MsgAddGuardian", value: { creator: creator.address, address: hostile && w.rng.chance(300) ? w.target(true) : added.address, description: hostile ? "d".repeat(w.rng.pick([10, 2000])) : "sim" } }] };
};

const deleteGuardian: Generator = (w, hostile) => {
  const by = hostile && w.rng.chance(500) ? w.user() : w.guardian;
  const target = hostile && w.rng.chance(300) ? w.guardian : w.addedGuardians.length > 0 && w.rng.chance(800) ? w.rng.pick(w.addedGuardians) : w.user();
  return { signers: [by], msgs: [{ typeUrl: "/qos.guardian.v1.MsgDeleteGuardian", value: { deletedBy: by.address, address: target.address } }] };
};

/** Only refused halts: a genesis guardian's halt stops the chain for good (its own e2e tests cover it). */
const haltNetwork: Generator = (w, hostile) => {
  let by = w.user();
  while (by === w.guardian) by = w.user();
  return { signers: [by], msgs: [{ typeUrl: "/qos.guardian.v1.MsgHaltNetwork", value: { guardian: by.address, reason: hostile ? w.rng.pick(["", " ", "r".repeat(5000)]) : "sim halt attempt" } }] };
};

// ---- qcp (sending side; deliveries are made by the relayer in qcpTraffic) ----

const initQcp: Generator = (w, hostile) => {
  const creator = w.user();
  const relayerKey = w.user().publicKey;
  const now = w.chain.lastTime;
  const certificate = issueCertificate(hostile && w.rng.chance(300) ? w.otherCa : w.qcpCa, {
    qcp: { chainId: hostile && w.rng.chance(200) ? PeerChainId : ChainId, qcpChain: hostile && w.rng.chance(200) ? ChainId : PeerChainId, relayerPublicKey: relayerKey, trustedHeaderHash: new Uint8Array() },
    notBefore: GenesisSeconds - 10n,
    notAfter: hostile && w.rng.chance(300) ? now : now + 1_000_000n,
  });
  return { signers: [creator], msgs: [{ typeUrl: "/qos.qcp.v1.MsgInitQcp", value: { creator: creator.address, certificate: hostile && w.rng.chance(200) ? w.rng.bytes(w.rng.range(1, 200)) : certificate } }] };
};

const qcpTransfer: Generator = (w, hostile) => {
  const sender = w.user();
  // the peer's PEERX is held here as its voucher: sending it back is the returning route
  const d = w.rng.chance(300) ? voucherDenom(PeerChainId, "PEERX") : denom(w);
  return {
    signers: [sender],
    msgs: [{
      typeUrl: "/qos.qcp.v1.MsgTransfer",
      value: { sender: sender.address, toChain: hostile && w.rng.chance(300) ? w.rng.pick([ChainId, "nowhere", "a/b", ""]) : PeerChainId, receiver: w.user().address, denom: d, amount: coinAmount(w, sender, d, hostile) },
    }],
  };
};

const qcpExecute: Generator = (w, hostile) => {
  const sender = w.user();
  const inner = MsgSend.encode(MsgSend.fromPartial({ fromAddress: w.user().address, toAddress: w.user().address, amount: [{ denom: "uqos", amount: "5" }] })).finish();
  const msgs = hostile && w.rng.chance(300) ? [] : Array.from({ length: w.rng.range(1, hostile ? 20 : 2) }, () => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: hostile && w.rng.chance(300) ? w.rng.bytes(20) : inner }));
  return { signers: [sender], msgs: [{ typeUrl: "/qos.qcp.v1.MsgExecute", value: { sender: sender.address, toChain: PeerChainId, msgs } }] };
};

// ---- exchange ----

/** the pools' QSC denoms */
function poolDenoms(w: World): string[] {
  return [...w.chain.app.keepers.exchange.allPools(w.reader)].map((p) => p.denom);
}

/** a user holding some of `denom`, when one does */
function holderOf(w: World, denom: string): SimAccount | undefined {
  const holders = w.users.filter((u) => w.balance(u.bytes, denom) > 0n);
  return holders.length > 0 ? w.rng.pick(holders) : undefined;
}

const createPool: Generator = (w, hostile) => {
  const ts = tokens(w).filter((t) => !poolDenoms(w).includes(t.name) || hostile);
  const name = hostile && w.rng.chance(200) ? w.rng.pick(["uqos", "NOSUCH", "pool/ALPHA", ""]) : ts.length > 0 ? w.rng.pick(ts).name : undefined;
  if (name === undefined) return undefined;
  const creator = holderOf(w, name) ?? w.user();
  const qsc = w.balance(creator.bytes, name) / 2n;
  const qos = w.balance(creator.bytes, "uqos") / 100n;
  return {
    signers: [creator],
    msgs: [{ typeUrl: "/qos.exchange.v1.MsgCreatePool", value: { creator: creator.address, denom: name, amountQsc: w.amountText(qsc, hostile), amountQos: w.amountText(qos, hostile) } }],
  };
};

const addLiquidity: Generator = (w, hostile) => {
  const pools = poolDenoms(w);
  if (pools.length === 0) return undefined;
  const name = w.rng.pick(pools);
  const sender = holderOf(w, name) ?? w.user();
  return {
    signers: [sender],
    msgs: [{
      typeUrl: "/qos.exchange.v1.MsgAddLiquidity",
      value: {
        sender: sender.address, denom: name, maxQsc: w.amountText(w.balance(sender.bytes, name) / 4n, hostile), maxQos: w.amountText(w.balance(sender.bytes, "uqos") / 50n, hostile),
        minShares: hostile && w.rng.chance(300) ? w.rng.pick(ExtremeAmounts) : "",
      },
    }],
  };
};

const removeLiquidity: Generator = (w, hostile) => {
  const pools = poolDenoms(w);
  if (pools.length === 0) return undefined;
  const name = w.rng.pick(pools);
  const sender = holderOf(w, shareDenom(name)) ?? w.user();
  const held = w.balance(sender.bytes, shareDenom(name));
  const shares = hostile && w.rng.chance(300) ? (held + 1n).toString() : w.amountText(held / 2n, hostile);
  return { signers: [sender], msgs: [{ typeUrl: "/qos.exchange.v1.MsgRemoveLiquidity", value: { sender: sender.address, denom: name, shares, minQsc: "", minQos: "" } }] };
};

const swap: Generator = (w, hostile) => {
  const pools = poolDenoms(w);
  if (pools.length === 0) return undefined;
  const x = w.rng.pick(pools);
  const y = pools.length > 1 ? w.rng.pick(pools.filter((p) => p !== x)) : undefined;
  let route = w.rng.pick([[x, "uqos"], ["uqos", x], ...(y ? [[x, "uqos", y]] : [])]);
  if (hostile && w.rng.chance(300)) route = w.rng.pick([[x, "uqos", x], [x, y ?? x], ["uqos", "NOSUCH"], [x, "uqos", x, "uqos"], []]);
  const sender = holderOf(w, route[0] ?? "uqos") ?? w.user();
  const max = w.balance(sender.bytes, route[0] ?? "uqos") / 20n;
  const exactOut = w.rng.chance(300);
  const value = exactOut
    ? { sender: sender.address, route, amountIn: "", minAmountOut: "", amountOut: w.amountText(max / 4n, hostile), maxAmountIn: w.amountText(max, hostile) }
    : { sender: sender.address, route, amountIn: w.amountText(max, hostile), minAmountOut: hostile && w.rng.chance(300) ? w.rng.pick(ExtremeAmounts) : "0", amountOut: "", maxAmountIn: "" };
  return { signers: [sender], msgs: [{ typeUrl: "/qos.exchange.v1.MsgSwap", value }] };
};

// ---- mining ----

function scenarioDenoms(w: World): string[] {
  return [...w.chain.app.keepers.mining.allScenarios(w.reader)].map((s) => s.denom);
}

const createScenario: Generator = (w, hostile) => {
  const tb = tokenAndBanker(w, hostile);
  if (!tb) return undefined;
  const reserve = w.balance(tb.banker.bytes, tb.t.name) / 10n;
  return {
    signers: [tb.banker],
    msgs: [{
      typeUrl: "/qos.mining.v1.MsgCreateScenario",
      value: {
        banker: tb.banker.address, denom: tb.t.name, community: hostile && w.rng.chance(200) ? w.target(true) : w.user().address,
        commissionRate: hostile && w.rng.chance(200) ? w.rng.pick(["0.9", "-1", "x", ""]) : w.rng.pick(["0.001", "0.01", "0.02"]),
        minCommission: w.rng.pick(["0", "100", "1000"]), holderShare: hostile && w.rng.chance(200) ? "0.1" : w.rng.pick(["0.8", "0.6", "1"]),
        periodSecs: BigInt(hostile && w.rng.chance(200) ? w.rng.pick([0, 1, 10_000_000]) : w.rng.pick([30, 60, 120])),
        initialRate: hostile && w.rng.chance(200) ? w.rng.pick(["0", "-1", "1e5"]) : w.rng.pick(["0.5", "1", "3"]),
        team: reserve > 0n ? w.user().address : "", teamReserve: reserve > 0n ? w.amountText(reserve, hostile) : "0",
        // a reserve with a zero unlock rate or cap is refused (mining 13): only hostile traffic sends one
        teamUnlockRate: w.rng.pick(reserve > 0n && !hostile ? ["0.05", "0.1", "0.5"] : ["0", "0.1", "0.5"]),
        teamUnlockCap: w.rng.pick(reserve > 0n && !hostile ? ["500", "1000", "100000000"] : ["0", "1000", "100000000"]),
      },
    }],
  };
};

const pay: Generator = (w, hostile) => {
  const denoms = scenarioDenoms(w);
  if (denoms.length === 0) return undefined;
  const denom = hostile && w.rng.chance(200) ? w.rng.pick(["uqos", "NOSUCH", ""]) : w.rng.pick(denoms);
  const payer = holderOf(w, denom) ?? w.user();
  return {
    signers: [payer],
    msgs: [{
      typeUrl: "/qos.mining.v1.MsgPay",
      value: { payer: payer.address, payee: hostile ? w.target(true) : w.user().address, denom, amount: w.amountText(w.balance(payer.bytes, denom) / 5n, hostile), memo: hostile && w.rng.chance(300) ? "m".repeat(300) : "sim" },
    }],
  };
};

const setRate: Generator = (w, hostile) => {
  const denoms = scenarioDenoms(w);
  if (denoms.length === 0) return undefined;
  const s = w.chain.app.keepers.mining.getScenario(w.reader, w.rng.pick(denoms))!;
  const banker = hostile && w.rng.chance(400) ? w.user() : w.users.find((u) => u.address === s.banker);
  if (!banker) return undefined;
  const rate = hostile && w.rng.chance(300) ? w.rng.pick(["0", "100000", "x"]) : ((s.rate * BigInt(w.rng.range(95, 105))) / 100n).toString();
  const text = /^[0-9]+$/.test(rate) ? canonicalDec(BigInt(rate)) : rate;
  return { signers: [banker], msgs: [{ typeUrl: "/qos.mining.v1.MsgSetRate", value: { banker: banker.address, denom: s.denom, rate: text } }] };
};

const claim: Generator = (w, hostile) => {
  const denoms = scenarioDenoms(w);
  if (denoms.length === 0) return undefined;
  const denom = w.rng.pick(denoms);
  const claimer = holderOf(w, denom) ?? w.user();
  return { signers: [claimer], msgs: [{ typeUrl: "/qos.mining.v1.MsgClaim", value: { claimer: claimer.address, denom: hostile && w.rng.chance(200) ? "NOSUCH" : denom } }] };
};

/** message type URL → generator; the simulation checks this covers every type the router knows */
export const Generators: Record<string, Generator> = {
  "/cosmos.bank.v1beta1.MsgSend": send,
  "/qos.bank.v1.MsgTransfer": multiTransfer,
  "/qos.qsc.v1.MsgCreateQsc": createQsc,
  "/qos.qsc.v1.MsgIssueQsc": issueQsc,
  "/qos.qsc.v1.MsgFreeze": freezeLike("/qos.qsc.v1.MsgFreeze"),
  "/qos.qsc.v1.MsgUnfreeze": freezeLike("/qos.qsc.v1.MsgUnfreeze"),
  "/qos.qsc.v1.MsgPause": pause,
  "/qos.approve.v1.MsgCreateApprove": approveCoins("/qos.approve.v1.MsgCreateApprove"),
  "/qos.approve.v1.MsgIncreaseApprove": approveCoins("/qos.approve.v1.MsgIncreaseApprove"),
  "/qos.approve.v1.MsgDecreaseApprove": approveCoins("/qos.approve.v1.MsgDecreaseApprove"),
  "/qos.approve.v1.MsgUseApprove": useApprove,
  "/qos.approve.v1.MsgCancelApprove": cancelApprove,
  "/qos.stake.v1.MsgCreateValidator": createValidator,
  "/qos.stake.v1.MsgEditValidator": editValidator,
  "/qos.stake.v1.MsgRevokeValidator": revokeValidator,
  "/qos.stake.v1.MsgActivateValidator": activateValidator,
  "/qos.stake.v1.MsgDelegate": delegate,
  "/qos.stake.v1.MsgUnbond": unbond,
  "/qos.stake.v1.MsgRedelegate": redelegate,
  "/qos.stake.v1.MsgSetAutoCompound": setAutoCompound,
  "/qos.distribution.v1.MsgWithdrawRewards": withdraw,
  "/qos.gov.v1.MsgSubmitProposal": submitProposal,
  "/qos.gov.v1.MsgDeposit": deposit,
  "/qos.gov.v1.MsgVote": vote,
  "/qos.guardian.v1.MsgAddGuardian": addGuardian,
  "/qos.guardian.v1.MsgDeleteGuardian": deleteGuardian,
  "/qos.guardian.v1.MsgHaltNetwork": haltNetwork,
  "/qos.qcp.v1.MsgInitQcp": initQcp,
  "/qos.qcp.v1.MsgTransfer": qcpTransfer,
  "/qos.qcp.v1.MsgExecute": qcpExecute,
  "/qos.exchange.v1.MsgCreatePool": createPool,
  "/qos.exchange.v1.MsgAddLiquidity": addLiquidity,
  "/qos.exchange.v1.MsgRemoveLiquidity": removeLiquidity,
  "/qos.exchange.v1.MsgSwap": swap,
  "/qos.mining.v1.MsgCreateScenario": createScenario,
  "/qos.mining.v1.MsgPay": pay,
  "/qos.mining.v1.MsgSetRate": setRate,
  "/qos.mining.v1.MsgClaim": claim,
};

/** relative frequencies (MsgRecvQcp is the relayer's: see qcpTraffic) */
export const Weights: Record<string, number> = {
  "/cosmos.bank.v1beta1.MsgSend": 14,
  "/qos.bank.v1.MsgTransfer": 6,
  "/qos.qsc.v1.MsgCreateQsc": 3,
  "/qos.qsc.v1.MsgIssueQsc": 3,
  "/qos.qsc.v1.MsgFreeze": 2,
  "/qos.qsc.v1.MsgUnfreeze": 2,
  "/qos.qsc.v1.MsgPause": 1,
  "/qos.approve.v1.MsgCreateApprove": 3,
  "/qos.approve.v1.MsgIncreaseApprove": 2,
  "/qos.approve.v1.MsgDecreaseApprove": 2,
  "/qos.approve.v1.MsgUseApprove": 3,
  "/qos.approve.v1.MsgCancelApprove": 1,
  "/qos.stake.v1.MsgCreateValidator": 2,
  "/qos.stake.v1.MsgEditValidator": 1,
  "/qos.stake.v1.MsgRevokeValidator": 1,
  "/qos.stake.v1.MsgActivateValidator": 2,
  "/qos.stake.v1.MsgDelegate": 8,
  "/qos.stake.v1.MsgUnbond": 4,
  "/qos.stake.v1.MsgRedelegate": 3,
  "/qos.stake.v1.MsgSetAutoCompound": 2,
  "/qos.distribution.v1.MsgWithdrawRewards": 4,
  "/qos.gov.v1.MsgSubmitProposal": 2,
  "/qos.gov.v1.MsgDeposit": 3,
  "/qos.gov.v1.MsgVote": 6,
  "/qos.guardian.v1.MsgAddGuardian": 1,
  "/qos.guardian.v1.MsgDeleteGuardian": 1,
  "/qos.guardian.v1.MsgHaltNetwork": 1,
  "/qos.qcp.v1.MsgInitQcp": 1,
  "/qos.qcp.v1.MsgTransfer": 4,
  "/qos.qcp.v1.MsgExecute": 2,
};

/** relative frequencies of the exchange's traffic, drawn from its own stream (sim/run.ts) */
export const ExchangeWeights: Record<string, number> = {
  "/qos.exchange.v1.MsgCreatePool": 2,
  "/qos.exchange.v1.MsgAddLiquidity": 2,
  "/qos.exchange.v1.MsgRemoveLiquidity": 2,
  "/qos.exchange.v1.MsgSwap": 6,
};

/** the mining module's traffic (options.miningTraffic), like the exchange's: a stream of its own */
export const MiningWeights: Record<string, number> = {
  "/qos.mining.v1.MsgCreateScenario": 2,
  "/qos.mining.v1.MsgPay": 8,
  "/qos.mining.v1.MsgSetRate": 1,
  "/qos.mining.v1.MsgClaim": 3,
};

// ---- tx-level attacks ----

/** Builds the tx of a generator's output, when hostile with one tx-level twist; returns its bytes. */
export function buildPlanned(w: World, chain: SimChain, signers: SimAccount[], msgs: Msg[], hostile: boolean): { bytes: Uint8Array; twist?: string; spec: TxSpec } {
  const spec = w.spec(chain, signers, msgs);
  if (!hostile || w.rng.chance(400)) return { bytes: buildTx(chain.app.router, spec), spec };
  const twist = w.rng.pick([
    "wrong-signer", "wrong-sequence", "wrong-chain-id", "wrong-account-number", "no-pubkey", "foreign-pubkey", "zero-gas", "low-gas",
    "fee-too-high", "fee-odd-denom", "long-memo", "timeout-passed", "unknown-msg", "undecodable-msg", "duplicate-msgs", "many-msgs",
    "extra-signature", "missing-signature", "high-s",
  ] as const);
  const s0 = spec.signers[0];
  const other = () => {
    let u = w.user();
    while (u === s0.account) u = w.user();
    return u;
  };
  switch (twist) {
    case "wrong-signer": s0.signWith = other(); break;
    // far from any sequence the account can reach (±1 may become right when a block reorders its txs)
    case "wrong-sequence": s0.sequence = s0.sequence + BigInt(w.rng.pick([1000, 1_000_000])); break;
    case "wrong-chain-id": spec.chainId = w.rng.pick([PeerChainId, "", "qos-sim-2"]); break;
    case "wrong-account-number": s0.accountNumber += BigInt(w.rng.range(1, 50)); break;
    case "no-pubkey": s0.publicKey = null; break;
    case "foreign-pubkey": s0.publicKey = other().publicKey; break;
    case "zero-gas": spec.gas = 0n; break;
    case "low-gas": spec.gas = BigInt(w.rng.range(1, 20_000)); break;
    case "fee-too-high": spec.fee = [{ denom: "uqos", amount: w.rng.pick(["10000000000000000000", (1n << 256n).toString(), "-1"]) }]; break;
    case "fee-odd-denom": spec.fee = [{ denom: w.rng.pick(["PEERX", "ALPHA", "nosuch", ""]), amount: "25000" }]; break;
    case "long-memo": spec.memo = "m".repeat(w.rng.pick([257, 5000, 300_000])); break;
    case "timeout-passed": spec.timeoutHeight = BigInt(Math.max(1, chain.height - 1)); break;
    case "unknown-msg": spec.rawMsgs = [{ typeUrl: w.rng.pick(["/qos.nosuch.v1.MsgX", "", "/cosmos.bank.v1beta1.MsgMultiSend"]), value: w.rng.bytes(8) }]; break;
    case "undecodable-msg": spec.msgs = []; spec.rawMsgs = [{ typeUrl: msgs[0].typeUrl, value: w.rng.bytes(w.rng.range(1, 64)) }]; break;
    case "duplicate-msgs": spec.msgs = [...msgs, ...msgs]; break;
    case "many-msgs": spec.msgs = Array.from({ length: w.rng.pick([50, 400]) }, () => msgs[0]); break;
    case "extra-signature": spec.signers = [...spec.signers, w.signer(chain, w.user())]; break;
    case "missing-signature": spec.signers = []; break;
    case "high-s": break;
  }
  let bytes = buildTx(chain.app.router, spec);
  if (twist === "high-s") bytes = highS(bytes);
  return { bytes, twist, spec };
}

const CurveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** the same signature with s → n − s (valid ECDSA, but malleable: refused) */
function highS(bytes: Uint8Array): Uint8Array {
  const raw = TxRaw.decode(bytes);
  raw.signatures = raw.signatures.map((sig) => {
    let s = 0n;
    for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(sig[i]);
    let hs = CurveOrder - s;
    const out = Uint8Array.from(sig);
    for (let i = 63; i >= 32; i--) { out[i] = Number(hs & 0xffn); hs >>= 8n; }
    return out;
  });
  return TxRaw.encode(raw).finish();
}

/** Bytes that are not a valid tx, or a valid tx's bytes damaged. */
export function malformed(w: World, valid: Uint8Array): { kind: string; bytes: Uint8Array } {
  switch (w.rng.int(8)) {
    case 0: return { kind: "raw:random", bytes: w.rng.bytes(w.rng.range(1, 400)) };
    case 1: return { kind: "raw:truncated", bytes: valid.subarray(0, w.rng.int(valid.length)) };
    case 2: {
      const b = Uint8Array.from(valid);
      for (let i = 0; i < w.rng.range(1, 4); i++) b[w.rng.int(b.length)] ^= 1 << w.rng.int(8);
      return { kind: "raw:bitflip", bytes: b };
    }
    case 3: return { kind: "raw:empty", bytes: new Uint8Array() };
    case 4: {
      // nested protobuf groups in an unknown TxRaw field (wire types 3/4), outside the signed bytes
      const depth = w.rng.range(1, 400);
      const open = Buffer.alloc(depth, 0x7b); // field 15, wire type 3 (start group)
      const close = Buffer.alloc(depth, 0x7c); // field 15, wire type 4 (end group)
      return { kind: "raw:nested-groups", bytes: new Uint8Array(Buffer.concat([valid, open, close])) };
    }
    case 5: return { kind: "raw:oversized", bytes: new Uint8Array(Buffer.concat([valid, Buffer.from([0xfa, 0x3f]), encodeVarint(270_000), Buffer.alloc(270_000, 1)])) };
    case 6: return { kind: "raw:unknown-field", bytes: new Uint8Array(Buffer.concat([valid, Buffer.from([0x2a, 0x03, 1, 2, 3])])) };
    default: return { kind: "raw:varint-overflow", bytes: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) };
  }
}

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return Buffer.from(out);
}
