// One renderer per route. Each returns the page's content or throws NotFound / NodeDown (main.ts shows
// those pages). Values come straight from the node; amounts are formatted with bigint arithmetic.
import { sha256 } from "@noble/hashes/sha2.js";
import { toBech32 } from "@cosmjs/encoding";
import { h, link, fields, table, section, type Child } from "./dom.js";
import { NotFound, rest, restMaybe, rpc } from "./api.js";
import { coin, coins, decPercent, groupDigits, percent, shortHash, time, unixTime } from "./format.js";

export interface Page {
  /** re-rendered on every new block */
  live: boolean;
  render(arg: string): Promise<HTMLElement>;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
/** CometBFT's tx hash: sha256 of the tx bytes, upper-case hex. */
const txHash = (b64: string) => hex(sha256(fromBase64(b64)));
/** CometBFT's validator address of an ed25519 key: the first 20 bytes of its sha256. */
const consAddress = (pubkeyB64: string) => hex(sha256(fromBase64(pubkeyB64)).slice(0, 20));

const statusName = (s: string) => s.replace(/^VALIDATOR_STATUS_|^PROPOSAL_STATUS_|^VOTE_OPTION_|^PROPOSAL_LEVEL_/, "").toLowerCase().replace(/_/g, " ");

/** An address becomes a link to its page; anything else stays text. */
function addr(value: string): Child {
  if (/^qosacc1[02-9ac-hj-np-z]{38,}$/.test(value)) return link(`/account/${value}`, value);
  if (/^qosval1[02-9ac-hj-np-z]{38,}$/.test(value)) return link(`/validator/${value}`, value);
  return value;
}

/** Any decoded JSON value as nested definition lists (messages of every module, events). */
function value(v: unknown): Child {
  if (v === null || v === undefined) return h("span", { class: "null" }, "—");
  if (typeof v === "string") return addr(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return h("span", { class: "null" }, "[]");
    if (v.every((c) => c && typeof c === "object" && "denom" in c && "amount" in c)) return coins(v as any);
    return h("ol", { class: "list" }, v.map((c) => h("li", {}, value(c))));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return h("span", { class: "null" }, "{}");
  return h("dl", { class: "obj" }, entries.map(([k, c]) => [h("dt", {}, k), h("dd", {}, value(c))]));
}

function eventsTable(testid: string, events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }>): HTMLElement {
  return table(testid, ["event", "attributes"], (events ?? []).map((e) => [
    e.type,
    h("dl", { class: "attrs" }, e.attributes.map((a) => [h("dt", {}, a.key), h("dd", {}, addr(a.value))])),
  ]));
}

async function validatorsByConsAddress(): Promise<Map<string, any>> {
  const { validators } = await rest("/qos/stake/v1/validators", { "pagination.limit": "1000" });
  return new Map((validators as any[]).map((v) => [consAddress(v.validator.consensus_pubkey), v]));
}

function proposerCell(hexAddr: string, byCons: Map<string, any>): Child {
  const v = byCons.get(hexAddr.toUpperCase());
  return v ? link(`/validator/${v.operator_address}`, v.validator.description.moniker || v.operator_address) : shortHash(hexAddr);
}

function txRow(r: any): Child[] {
  const msgs = (r.tx?.body?.messages ?? []).map((m: any) => m["@type"].split(".").pop()).join(", ");
  return [
    link(`/tx/${r.txhash}`, shortHash(r.txhash)),
    link(`/block/${r.height}`, r.height),
    msgs,
    r.code === 0 ? "ok" : h("span", { class: "fail" }, `failed (${r.codespace} ${r.code})`),
    time(r.timestamp),
  ];
}

// --- home -------------------------------------------------------------------------------------------------
const home: Page = {
  live: true,
  async render() {
    // one committed state for every figure: the height the first answer was read at
    const applied = await rest("/qos/mint/v1/applied");
    const at: string = applied.height;
    const [chain, validators, supply, phases, latestTxs] = await Promise.all([
      rpc("blockchain", { minHeight: String(BigInt(at) > 20n ? BigInt(at) - 19n : 1n), maxHeight: at }),
      rest("/qos/stake/v1/validators", { "pagination.limit": "1000" }, at),
      rest("/cosmos/bank/v1beta1/supply/by_denom", { denom: "uqos" }, at),
      rest("/qos/mint/v1/phases", {}, at),
      rest("/cosmos/tx/v1beta1/txs", { query: `tx.height<=${at}`, order_by: "ORDER_BY_DESC", limit: "10" }),
    ]);
    const height = BigInt(at);
    const metas: any[] = chain.block_metas;
    const newest = metas[0];
    const oldest = metas[metas.length - 1];
    // txs/s over the blocks shown: the txs after the oldest block, over the time between the two ends
    const spanMs = Date.parse(newest.header.time) - Date.parse(oldest.header.time);
    const txs = metas.slice(0, -1).reduce((n, m) => n + Number(m.num_txs), 0);
    const tps = spanMs > 0 ? (txs / (spanMs / 1000)).toFixed(2) : "0.00";
    const active = (validators.validators as any[]).filter((v) => v.validator.status === "VALIDATOR_STATUS_ACTIVE");
    const bonded = active.reduce((n, v) => n + BigInt(v.validator.tokens), 0n);
    const total = BigInt(supply.amount.amount);
    const blockSecs = BigInt(Math.floor(Date.parse(newest.header.time) / 1000));
    const phaseIndex = (phases.phases as any[]).findIndex((p) => BigInt(p.end_time) > blockSecs);
    const phase = phases.phases[phaseIndex];
    const byCons = new Map(active.map((v) => [consAddress(v.validator.consensus_pubkey), v]));
    return h("div", {},
      section("QOS " + newest.header.chain_id,
        fields([
          ["Height", "height", link(`/block/${height}`, String(height))],
          ["Block time", "block-time", time(newest.header.time)],
          ["Txs/s (last blocks)", "tps", tps],
          ["Active validators", "active-validators", String(active.length)],
          ["Inflation phase", "phase", phase ? `${phaseIndex + 1} of ${phases.phases.length}, ends ${unixTime(phase.end_time)}` : "none (all minted)"],
          ["Mint per block", "mint-per-block", coin(applied.last_mint)],
          ["Supply", "supply", coin(total)],
          ["Bonded", "bonded", `${coin(bonded)} (${percent(bonded, total)})`],
        ]),
      ),
      section("Latest blocks",
        table("latest-blocks", ["height", "time", "txs", "proposer"], metas.slice(0, 10).map((m) => [
          link(`/block/${m.header.height}`, m.header.height), time(m.header.time), m.num_txs, proposerCell(m.header.proposer_address, byCons),
        ])),
      ),
      section("Latest transactions", table("latest-txs", ["hash", "height", "messages", "result", "time"], latestTxs.tx_responses.map(txRow), "no transactions yet")),
    );
  },
};

// --- block ------------------------------------------------------------------------------------------------
const block: Page = {
  live: false,
  async render(arg) {
    if (!/^\d+$/.test(arg) || BigInt(arg) === 0n) throw new NotFound(`${arg} is not a block height`);
    const status = await rpc("status");
    if (BigInt(arg) > BigInt(status.sync_info.latest_block_height)) throw new NotFound(`block ${arg} is not committed yet (height ${status.sync_info.latest_block_height})`);
    const [b, results, byCons] = await Promise.all([rpc("block", { height: arg }), rpc("block_results", { height: arg }), validatorsByConsAddress()]);
    const header = b.block.header;
    const rawTxs: string[] = b.block.data.txs ?? [];
    const txResults: any[] = results.txs_results ?? [];
    return h("div", {},
      section(`Block ${header.height}`,
        fields([
          ["Height", "height", header.height],
          ["Time", "time", time(header.time)],
          ["Hash", "hash", b.block_id.hash],
          ["Proposer", "proposer", proposerCell(header.proposer_address, byCons)],
          ["Transactions", "num-txs", String(rawTxs.length)],
          ["App hash", "app-hash", header.app_hash],
          ["Chain", "chain-id", header.chain_id],
          ["Previous", "previous", BigInt(arg) > 1n ? link(`/block/${BigInt(arg) - 1n}`, String(BigInt(arg) - 1n)) : "—"],
        ]),
      ),
      section("Transactions", table("block-txs", ["hash", "result", "gas used"], rawTxs.map((tx, i) => {
        const hash = txHash(tx);
        const r = txResults[i] ?? {};
        return [link(`/tx/${hash}`, hash), (r.code ?? 0) === 0 ? "ok" : h("span", { class: "fail" }, `failed (${r.codespace} ${r.code})`), r.gas_used ?? "0"];
      }), "no transactions")),
      section("Block events", eventsTable("block-events", results.finalize_block_events ?? [])),
    );
  },
};

// --- tx ---------------------------------------------------------------------------------------------------
const tx: Page = {
  live: false,
  async render(arg) {
    if (!/^[0-9A-Fa-f]{64}$/.test(arg)) throw new NotFound(`${arg} is not a tx hash`);
    const { tx: t, tx_response: r } = await rest(`/cosmos/tx/v1beta1/txs/${arg}`);
    return h("div", {},
      section("Transaction",
        fields([
          ["Hash", "hash", r.txhash],
          ["Height", "height", link(`/block/${r.height}`, r.height)],
          ["Time", "time", time(r.timestamp)],
          ["Result", "result", r.code === 0 ? "ok" : h("span", { class: "fail" }, `failed: ${r.codespace} ${r.code}`)],
          ["Code", "code", `${r.codespace || "-"} ${r.code}`],
          ["Log", "log", r.raw_log || "—"],
          ["Gas (used / wanted)", "gas", `${groupDigits(r.gas_used)} / ${groupDigits(r.gas_wanted)}`],
          ["Fee", "fee", coins(t.auth_info.fee.amount)],
          ["Memo", "memo", t.body.memo || "—"],
          ["Signers", "signers", String(t.auth_info.signer_infos.length)],
        ]),
      ),
      section("Messages", h("ol", { class: "messages", "data-testid": "messages" }, (t.body.messages as any[]).map((m) => {
        const { "@type": type, ...rest } = m;
        return h("li", {}, h("h3", { "data-k": "type" }, type), value(rest));
      }))),
      section("Events", eventsTable("tx-events", r.events)),
    );
  },
};

// --- account ----------------------------------------------------------------------------------------------
async function accountTxs(address: string): Promise<any[]> {
  const [sent, received] = await Promise.all([
    rest("/cosmos/tx/v1beta1/txs", { query: `message.sender='${address}'`, order_by: "ORDER_BY_DESC", limit: "50" }),
    rest("/cosmos/tx/v1beta1/txs", { query: `transfer.recipient='${address}'`, order_by: "ORDER_BY_DESC", limit: "50" }),
  ]);
  const byHash = new Map<string, any>();
  for (const r of [...sent.tx_responses, ...received.tx_responses]) byHash.set(r.txhash, r);
  return [...byHash.values()].sort((a, b) => Number(BigInt(b.height) - BigInt(a.height)) || (a.txhash < b.txhash ? -1 : 1));
}

const account: Page = {
  live: false,
  async render(address) {
    if (!/^qosacc1[02-9ac-hj-np-z]{38,}$/.test(address)) throw new NotFound(`${address} is not a qosacc address`);
    const [acc, delegations, unbondings, allowances, txs] = await Promise.all([
      restMaybe(`/qos/bank/v1/accounts/${address}`),
      rest(`/qos/stake/v1/delegators/${address}/delegations`),
      rest(`/qos/stake/v1/delegators/${address}/unbondings`),
      rest(`/qos/approve/v1/approves/${address}`),
      accountTxs(address),
    ]);
    if (!acc && txs.length === 0 && delegations.delegations.length === 0) throw new NotFound(`account ${address} has no state and no transactions`);
    const rewards = await Promise.all((delegations.delegations as any[]).map((d) => rest(`/qos/distribution/v1/delegators/${address}/rewards`, { validator: d.validator })));
    return h("div", {},
      section("Account",
        fields([
          ["Address", "address", address],
          ["Account number", "account-number", acc?.account_number ?? "—"],
          ["Sequence", "sequence", acc?.sequence ?? "0"],
        ]),
      ),
      section("Balances", table("balances", ["denom", "amount"], (acc?.balances ?? []).map((c: any) => [c.denom, coin(c.amount, c.denom)]), "no balance")),
      section("Delegations", table("delegations", ["validator", "amount", "pending rewards", "auto-compound"], (delegations.delegations as any[]).map((d, i) => [
        addr(d.validator), coin(d.amount), coin(rewards[i].rewards), d.auto_compound ? "yes" : "no",
      ]))),
      section("Unbondings", table("unbondings", ["validator", "amount", "started at height", "completes"], (unbondings.unbondings as any[]).map((u) => [
        addr(u.validator), coin(u.amount), u.creation_height, unixTime(u.completion_time),
      ]))),
      section("Allowances given", table("allowances", ["to", "coins"], (allowances.allowances as any[]).map((a) => [addr(a.to), coins(a.coins)]))),
      section("Transactions", table("account-txs", ["hash", "height", "messages", "result", "time"], txs.map(txRow))),
    );
  },
};

// --- validators -------------------------------------------------------------------------------------------
async function validatorRow(v: any): Promise<Child[]> {
  const [selfBond, keep] = await Promise.all([
    restMaybe(`/qos/stake/v1/validators/${v.operator_address}/delegations/${v.validator.owner}`),
    rest(`/qos/stake/v1/validators/${v.operator_address}/keep_alive`),
  ]);
  const counted = BigInt(keep.keep_alive.blocks_counted);
  const missed = BigInt(keep.keep_alive.missed);
  return [
    link(`/validator/${v.operator_address}`, v.validator.description.moniker || v.operator_address),
    statusName(v.validator.status),
    groupDigits(v.power),
    decPercent(v.validator.commission.rate),
    coin(selfBond?.delegation?.amount ?? "0"),
    `${counted - missed} signed / ${missed} missed`,
  ];
}

const validators: Page = {
  live: true,
  async render() {
    const { validators: list } = await rest("/qos/stake/v1/validators", { "pagination.limit": "1000" });
    const sorted = [...(list as any[])].sort((a, b) => (BigInt(b.power) > BigInt(a.power) ? 1 : BigInt(b.power) < BigInt(a.power) ? -1 : a.operator_address < b.operator_address ? -1 : 1));
    const rows = await Promise.all(sorted.map(validatorRow));
    return section("Validators", table("validators", ["validator", "status", "power", "commission", "self-bond", "keep-alive window"], rows));
  },
};

const validator: Page = {
  live: true,
  async render(operator) {
    if (!/^qosval1[02-9ac-hj-np-z]{38,}$/.test(operator)) throw new NotFound(`${operator} is not a qosval address`);
    const { validators: list } = await rest("/qos/stake/v1/validators", { "pagination.limit": "1000" });
    const v = (list as any[]).find((x) => x.operator_address === operator);
    if (!v) throw new NotFound(`no validator ${operator}`);
    const [row, delegators, dist] = await Promise.all([
      validatorRow(v),
      rest(`/qos/stake/v1/validators/${operator}/delegations`, { "pagination.limit": "1000" }),
      rest(`/qos/distribution/v1/validators/${operator}`),
    ]);
    const d = v.validator.description;
    return h("div", {},
      section(`Validator ${d.moniker}`,
        fields([
          ["Moniker", "moniker", d.moniker],
          ["Operator", "operator", operator],
          ["Owner", "owner", addr(v.validator.owner)],
          ["Status", "status", row[1]],
          ["Inactive reason", "inactive-reason", v.validator.inactive_reason || "—"],
          ["Power", "power", row[2]],
          ["Tokens", "tokens", coin(v.validator.tokens)],
          ["Commission", "commission", `${row[3]} (max ${decPercent(v.validator.commission.max_rate)})`],
          ["Self-bond", "self-bond", row[4]],
          ["Keep-alive window", "keep-alive", row[5]],
          ["Unpaid commission", "unpaid-commission", coin(dist.commission)],
          ["Website", "website", d.website || "—"],
          ["Details", "details", d.details || "—"],
        ]),
      ),
      section("Delegators", table("delegators", ["delegator", "amount", "auto-compound"], (delegators.delegations as any[]).map((x) => [addr(x.delegator), coin(x.amount), x.auto_compound ? "yes" : "no"]))),
    );
  },
};

// --- governance -------------------------------------------------------------------------------------------
const gov: Page = {
  live: true,
  async render() {
    const { proposals } = await rest("/qos/gov/v1/proposals", { "pagination.limit": "1000", "pagination.reverse": "true" });
    return section("Governance", table("proposals", ["id", "title", "level", "status", "deposit", "voting ends"], (proposals as any[]).map((p) => [
      link(`/proposal/${p.id}`, p.id), p.content.title, statusName(p.level), statusName(p.status), coin(p.total_deposit), p.voting_end_time !== "0" ? unixTime(p.voting_end_time) : "—",
    ]), "no proposals"));
  },
};

const proposal: Page = {
  live: true,
  async render(id) {
    if (!/^\d+$/.test(id)) throw new NotFound(`${id} is not a proposal id`);
    const { proposal: p } = await rest(`/qos/gov/v1/proposals/${id}`);
    const [deposits, votes, tally] = await Promise.all([
      rest(`/qos/gov/v1/proposals/${id}/deposits`, { "pagination.limit": "1000" }),
      rest(`/qos/gov/v1/proposals/${id}/votes`, { "pagination.limit": "1000" }),
      p.final_tally ? Promise.resolve({ tally: p.final_tally }) : rest(`/qos/gov/v1/proposals/${id}/tally`),
    ]);
    // A delegator's own vote overrides its validator's for its stake: mark the votes whose voter delegates to
    // a validator whose owner voted as well.
    const voterList = (votes.votes as any[]).map((v) => v.voter as string);
    const voted = new Set(voterList);
    const { validators: vals } = await rest("/qos/stake/v1/validators", { "pagination.limit": "1000" });
    const ownerOf = new Map((vals as any[]).map((v) => [v.operator_address, v.validator.owner as string]));
    const overrides = await Promise.all(voterList.map(async (voter) => {
      const { delegations } = await rest(`/qos/stake/v1/delegators/${voter}/delegations`);
      return (delegations as any[]).filter((d) => ownerOf.get(d.validator) !== voter && voted.has(ownerOf.get(d.validator) ?? "")).map((d) => d.validator as string);
    }));
    const t = tally.tally;
    const total = BigInt(t.total_power ?? "0");
    const share = (x: string) => `${coin(x)} (${percent(BigInt(x), total)})`;
    return h("div", {},
      section(`Proposal ${p.id}: ${p.content.title}`,
        fields([
          ["Title", "title", p.content.title],
          ["Description", "description", p.content.description],
          ["Kind", "kind", Object.keys(p.content).filter((k) => k !== "title" && k !== "description").join(", ") || "—"],
          ["Level", "level", statusName(p.level)],
          ["Status", "status", statusName(p.status)],
          ["Proposer", "proposer", addr(p.proposer)],
          ["Submitted", "submitted", unixTime(p.submit_time)],
          ["Total deposit", "total-deposit", coin(p.total_deposit)],
          ["Voting ends", "voting-end", p.voting_end_time !== "0" ? unixTime(p.voting_end_time) : "—"],
          ["Result", "result", p.result || "—"],
        ]),
      ),
      section(p.final_tally ? "Final tally" : "Live tally",
        fields([
          ["Yes", "tally-yes", share(t.yes)],
          ["No", "tally-no", share(t.no)],
          ["No with veto", "tally-veto", share(t.no_with_veto)],
          ["Abstain", "tally-abstain", share(t.abstain)],
          ["Voting power", "tally-total", coin(t.total_power ?? "0")],
        ]),
      ),
      section("Votes", table("votes", ["voter", "option", "note"], (votes.votes as any[]).map((v, i) => [
        addr(v.voter), statusName(v.option), overrides[i].length ? ["overrides the vote of ", overrides[i].map((x) => addr(x))] : "",
      ]), "no votes yet")),
      section("Deposits", table("deposits", ["depositor", "amount"], (deposits.deposits as any[]).map((d) => [addr(d.depositor), coin(d.amount)]))),
    );
  },
};

// --- QSC tokens -------------------------------------------------------------------------------------------
const tokens: Page = {
  live: true,
  async render() {
    const { tokens: list } = await rest("/qos/qsc/v1/tokens", { "pagination.limit": "1000" });
    return section("QSC tokens", table("tokens", ["token", "supply", "banker", "paused"], (list as any[]).map(({ token: t, total_supply }) => [
      link(`/token/${encodeURIComponent(t.name)}`, t.name), coin(total_supply, t.name), t.banker ? addr(t.banker) : "—", t.paused ? "yes" : "no",
    ]), "no QSC tokens"));
  },
};

/** qsc's module account "qsc_frozen" (a module's address: the first 20 bytes of the sha256 of its name) holds
 *  every frozen coin, so its balance of a token is the token's frozen total. */
const qscFrozenAccount = toBech32("qosacc", sha256(new TextEncoder().encode("qsc_frozen")).slice(0, 20));

const token: Page = {
  live: true,
  async render(name) {
    const [{ token: t, total_supply }, frozen] = await Promise.all([
      rest(`/qos/qsc/v1/tokens/${encodeURIComponent(name)}`),
      rest(`/cosmos/bank/v1beta1/balances/${qscFrozenAccount}/by_denom`, { denom: name }),
    ]);
    return section(`QSC ${t.name}`, fields([
      ["Name", "name", t.name],
      ["Symbol", "symbol", t.symbol],
      ["Decimals", "decimals", String(t.decimals)],
      ["Supply", "supply", coin(total_supply, t.name)],
      ["Frozen", "frozen", coin(frozen.balance?.amount ?? "0", t.name)],
      ["Banker", "banker", t.banker ? addr(t.banker) : "—"],
      ["Creator", "creator", addr(t.creator)],
      ["Paused", "paused", t.paused ? "yes (transfers refused)" : "no"],
      ["Description", "description", t.description || "—"],
    ]));
  },
};

// --- QCP --------------------------------------------------------------------------------------------------
function clientStatus(c: any | undefined): string {
  if (!c) return "no client";
  return `${c.status}, latest height ${c.client_state?.latest_height ?? "?"}`;
}


const qcp: Page = {
  live: true,
  async render(chain) {
    if (chain) return qcpChain(chain);
    const { chains } = await rest("/qos/qcp/v1/chains", { "pagination.limit": "1000" });
    const rows = await Promise.all((chains as any[]).map(async (c) => {
      const id: string = c.info.chain_id;
      const client = await restMaybe(`/qos/qcp/v1/clients/${encodeURIComponent(id)}`);
      return [link(`/qcp/${encodeURIComponent(id)}`, id), c.out_sequence, c.in_sequence, String(c.info.relayers.length), clientStatus(client)] as Child[];
    }));
    return section("QCP routes", table("qcp-chains", ["counterpart chain", "sent (out sequence)", "received (in sequence)", "relayers", "light client"], rows, "no QCP routes"));
  },
};

async function qcpChain(chain: string): Promise<HTMLElement> {
  const id = encodeURIComponent(chain);
  // the last outgoing messages and whether their result came back, in one read (pending until it does)
  const [seq, outbox, client] = await Promise.all([
    rest(`/qos/qcp/v1/chains/${id}/sequences`), rest(`/qos/qcp/v1/chains/${id}/outbox_status`), restMaybe(`/qos/qcp/v1/clients/${id}`),
  ]);
  const entries: any[] = outbox.entries ?? [];
  const pending = entries.filter((e) => e.pending).length;
  return h("div", {},
    section(`QCP route ${chain}`,
      fields([
        ["Counterpart chain", "chain", chain],
        ["Sent (out sequence)", "out-sequence", seq.out_sequence],
        ["Received (in sequence)", "in-sequence", seq.in_sequence],
        [`Pending (of the last ${entries.length} sent)`, "pending", String(pending)],
        ["Light client", "client-status", clientStatus(client)],
        ["Trusting period", "trusting-period", client ? `${client.client_state.trusting_period_seconds} s` : "—"],
      ]),
    ),
    section("Last messages sent", table("qcp-out", ["sequence", "result"], entries.map((e) => [String(e.sequence), e.is_result ? "a result we sent" : e.pending ? "pending" : e.result.code === 0 ? "ok" : `failed (${e.result.codespace} ${e.result.code})`]))),
  );
}

const search: Page = {
  live: false,
  async render(term) {
    throw new NotFound(`no block, transaction, account, validator or token is named ${JSON.stringify(term)}`);
  },
};

export const pages: Record<string, Page> = {
  "": home, block, tx, account, validators, validator, gov, proposal, tokens, token, qcp, search,
};
