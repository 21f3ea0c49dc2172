// attack: list queries answered everything at once. Votes, Proposals, Validators, Approves, … built the whole
// list on the node's single request queue, beside consensus, so one query over a large list could stall the
// node and fill its memory. Every list query now pages (Cosmos PageRequest: default 100, at most 1000, next_key),
// every query reads within a budget and every response is capped (app/query.ts). Driven through ABCI Query
// and QosApp.runQuery (the gRPC server's entry), over a genesis holding 250 (or 1,100) of every list.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { AppError, Errors } from "../../app/errors.js";
import { DefaultPageLimit, MaxPageLimit, MaxPageScan, paginate } from "../../app/query.js";
import { CacheStore } from "../../app/state/kv.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { toValAddress } from "../../modules/stake/index.js";
import { PageRequest, type PageResponse } from "../../gen/cosmos/base/query/v1beta1/pagination.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import { Proposal, ProposalLevel, ProposalStatus } from "../../gen/qos/gov/v1/types.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as aq from "../../gen/qos/approve/v1/query.js";
import * as guq from "../../gen/qos/guardian/v1/query.js";
import * as cq from "../../gen/qos/qcp/v1/query.js";
import * as tq from "../../gen/qos/qsc/v1/query.js";
import * as bq from "../../gen/qos/bank/v1/query.js";

const N = 250;
const ManyDenoms = 1100;
const QOS = 1_000_000n;
const addr = (seed: string) => new Uint8Array(createHash("sha256").update(seed).digest().subarray(0, 20));
const acc = (seed: string) => toAccAddress(addr(seed));
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** addresses in key (byte) order, as bech32 */
const byBytes = (seeds: string[], bech: (b: Uint8Array) => string) => seeds.map(addr).sort((a, b) => Buffer.compare(a, b)).map(bech);
const pad = (i: number, w = 4) => String(i).padStart(w, "0");

const holder = "holder";
const delegator = "delegator";
const granter = "granter";
const validators = range(N).map((i) => `val-${i}`);
const delegatorsOfV0 = range(N).map((i) => `del-${i}`);
const voters = range(N).map((i) => `voter-${i}`);
const grantees = range(N).map((i) => `grantee-${i}`);
const guardians = range(N).map((i) => `guardian-${i}`);

function genesis() {
  const val0 = toValAddress(addr(validators[0]));
  const delegations = [
    ...validators.map((v) => ({ delegator: acc(delegator), validator: toValAddress(addr(v)), amount: String(QOS) })),
    ...delegatorsOfV0.map((d) => ({ delegator: acc(d), validator: val0, amount: String(QOS) })),
  ];
  const unbondings = validators.map((v) => ({
    delegator: acc(delegator), validator: toValAddress(addr(v)), amount: "7", creation_height: "0", completion_time: String(GenesisTime.seconds + 1_000_000n),
  }));
  const pool = BigInt(delegations.length) * QOS + 7n * BigInt(N);
  const votingEnd = GenesisTime.seconds + 1_000_000n;
  const proposal = (id: bigint, status: ProposalStatus) => Proposal.fromPartial({
    id, level: ProposalLevel.PROPOSAL_LEVEL_NORMAL, proposer: acc(holder), content: { title: `p${id}`, description: "d", text: {} }, status,
    submitTime: GenesisTime.seconds, depositEndTime: GenesisTime.seconds, votingStartTime: GenesisTime.seconds, votingEndTime: votingEnd, totalDeposit: String(N),
  });
  return {
    bank: {
      balances: [
        { address: acc(holder), coins: [{ denom: "uqos", amount: "1" }, ...range(ManyDenoms).map((i) => ({ denom: `d${pad(i)}`, amount: String(i + 1) }))] },
        { address: toAccAddress(moduleAddress("stake_pool")), coins: [{ denom: "uqos", amount: String(pool) }] },
        { address: toAccAddress(moduleAddress("gov")), coins: [{ denom: "uqos", amount: String(N) }] },
      ],
    },
    stake: {
      validators: validators.map((v) => ({
        owner: toAccAddress(addr(v)), consensus_pubkey: toBase64(createHash("sha256").update(`cons-${v}`).digest()), moniker: v,
        commission: { rate: "0.1", max_rate: "0.2", max_change_rate: "0.01" },
      })),
      delegations,
      unbondings,
    },
    gov: {
      starting_proposal_id: N + 1,
      proposals: [
        Proposal.toJSON(proposal(1n, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)),
        ...range(N - 1).map((i) => Proposal.toJSON(proposal(BigInt(i + 2), ProposalStatus.PROPOSAL_STATUS_PASSED))),
      ],
      votes: voters.map((v) => ({ proposal_id: "1", voter: toAccAddress(addr(v)), option: "yes" })),
      deposits: voters.map((v) => ({ proposal_id: "1", depositor: toAccAddress(addr(v)), amount: "1" })),
    },
    approve: { approves: grantees.map((g) => ({ from: acc(granter), to: acc(g), coins: [{ denom: "uqos", amount: "5" }] })) },
    guardian: { guardians: guardians.map((g) => ({ address: acc(g), description: g })) },
    qcp: { chains: range(N).map((i) => ({ chain_id: `chain-${pad(i)}` })) },
    qsc: { tokens: range(N).map((i) => ({ name: `TK${pad(i)}`, symbol: `T${i}`, banker: acc(holder) })) },
  };
}

describe("list queries page", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(genesis());
    await t.block([]);
  });
  after(() => t.destroy());

  const query = (path: string, data: Uint8Array) => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return res.value;
  };
  /** A list query as: request bytes for a page → [items, pagination]. */
  type Lister<T> = (page: PageRequest) => [T[], PageResponse | undefined];
  const lister = <T, R extends { pagination?: PageResponse }>(path: string, request: (page: PageRequest) => Uint8Array, decode: (b: Uint8Array) => R, items: (r: R) => T[]): Lister<T> =>
    (page) => {
      const r = decode(query(path, request(page)));
      return [items(r), r.pagination];
    };
  /** every page of `limit` until next_key is empty; asserts every page but the last is exactly `limit` long */
  const pageAll = <T>(list: Lister<T>, limit: number): T[] => {
    const out: T[] = [];
    let key: Uint8Array = new Uint8Array();
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 1000, "too many pages");
      const [items, p] = list(PageRequest.fromPartial({ key, limit: BigInt(limit) }));
      out.push(...items);
      if (p!.nextKey.length === 0) {
        assert.ok(items.length <= limit);
        return out;
      }
      assert.equal(items.length, limit);
      key = p!.nextKey;
    }
  };

  const lists: Record<string, { list: Lister<string>; expected: string[] }> = {};
  before(() => {
    const val0 = toValAddress(addr(validators[0]));
    lists["gov Proposals"] = {
      list: lister("/qos.gov.v1.Query/Proposals", (pagination) => gq.QueryProposalsRequest.encode({ status: 0, pagination }).finish(), gq.QueryProposalsResponse.decode, (r) => r.proposals.map((p) => String(p.id))),
      expected: range(N).map((i) => String(i + 1)),
    };
    lists["gov Votes"] = {
      list: lister("/qos.gov.v1.Query/Votes", (pagination) => gq.QueryVotesRequest.encode({ proposalId: 1n, pagination }).finish(), gq.QueryVotesResponse.decode, (r) => r.votes.map((v) => v.voter)),
      expected: byBytes(voters, toAccAddress),
    };
    lists["gov Deposits"] = {
      list: lister("/qos.gov.v1.Query/Deposits", (pagination) => gq.QueryDepositsRequest.encode({ proposalId: 1n, pagination }).finish(), gq.QueryDepositsResponse.decode, (r) => r.deposits.map((d) => d.depositor)),
      expected: byBytes(voters, toAccAddress),
    };
    lists["stake Validators"] = {
      list: lister("/qos.stake.v1.Query/Validators", (pagination) => sq.QueryValidatorsRequest.encode({ status: "", pagination }).finish(), sq.QueryValidatorsResponse.decode, (r) => r.validators.map((v) => v.operatorAddress)),
      expected: byBytes(validators, toValAddress),
    };
    lists["stake DelegatorDelegations"] = {
      list: lister("/qos.stake.v1.Query/DelegatorDelegations", (pagination) => sq.QueryDelegatorRequest.encode({ delegator: acc(delegator), pagination }).finish(), sq.QueryDelegationsResponse.decode, (r) => r.delegations.map((d) => d.validator)),
      expected: byBytes(validators, toValAddress),
    };
    lists["stake ValidatorDelegations"] = {
      list: lister("/qos.stake.v1.Query/ValidatorDelegations", (pagination) => sq.QueryValidatorDelegationsRequest.encode({ validator: val0, pagination }).finish(), sq.QueryDelegationsResponse.decode, (r) => r.delegations.map((d) => d.delegator)),
      expected: byBytes([...delegatorsOfV0, delegator], toAccAddress),
    };
    lists["stake Unbondings"] = {
      list: lister("/qos.stake.v1.Query/Unbondings", (pagination) => sq.QueryDelegatorRequest.encode({ delegator: acc(delegator), pagination }).finish(), sq.QueryUnbondingsResponse.decode, (r) => r.unbondings.map((u) => u.validator)),
      expected: byBytes(validators, toValAddress),
    };
    lists["approve Approves"] = {
      list: lister("/qos.approve.v1.Query/Approves", (pagination) => aq.QueryApprovesRequest.encode({ from: acc(granter), pagination }).finish(), aq.QueryApprovesResponse.decode, (r) => r.allowances.map((a) => a.to)),
      expected: byBytes(grantees, toAccAddress),
    };
    lists["guardian Guardians"] = {
      list: lister("/qos.guardian.v1.Query/Guardians", (pagination) => guq.QueryGuardiansRequest.encode({ pagination }).finish(), guq.QueryGuardiansResponse.decode, (r) => r.guardians.map((g) => g.address)),
      expected: byBytes(guardians, toAccAddress),
    };
    lists["qcp Chains"] = {
      list: lister("/qos.qcp.v1.Query/Chains", (pagination) => cq.QueryChainsRequest.encode({ pagination }).finish(), cq.QueryChainsResponse.decode, (r) => r.chains.map((c) => c.info!.chainId)),
      expected: range(N).map((i) => `chain-${pad(i)}`),
    };
    lists["qsc Tokens"] = {
      list: lister("/qos.qsc.v1.Query/Tokens", (pagination) => tq.QueryTokensRequest.encode({ pagination }).finish(), tq.QueryTokensResponse.decode, (r) => r.tokens.map((x) => x.token!.name)),
      expected: range(N).map((i) => `TK${pad(i)}`),
    };
    lists["bank AllBalances"] = {
      list: lister("/cosmos.bank.v1beta1.Query/AllBalances", (pagination) => QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: acc(holder), pagination })).finish(), QueryAllBalancesResponse.decode, (r) => r.balances.map((c) => `${c.amount}${c.denom}`)),
      expected: [...range(ManyDenoms).map((i) => `${i + 1}d${pad(i)}`), "1uqos"],
    };
    lists["bank TotalSupply"] = {
      list: lister("/cosmos.bank.v1beta1.Query/TotalSupply", (pagination) => QueryTotalSupplyRequest.encode({ pagination }).finish(), QueryTotalSupplyResponse.decode, (r) => r.supply.map((c) => c.denom)),
      expected: [...range(ManyDenoms).map((i) => `d${pad(i)}`), "uqos"],
    };
    lists["qos.bank Supply"] = {
      list: lister("/qos.bank.v1.Query/Supply", (pagination) => bq.QuerySupplyRequest.encode({ pagination }).finish(), bq.QuerySupplyResponse.decode, (r) => r.supply.map((c) => c.denom)),
      expected: [...range(ManyDenoms).map((i) => `d${pad(i)}`), "uqos"],
    };
  });

  test("attack: one query lists every item — each list query returns exactly `limit` items and a next_key that continues exactly where it stopped", () => {
    for (const [name, { list, expected }] of Object.entries(lists)) {
      assert.deepEqual(pageAll(list, 100), expected, name);
      assert.deepEqual(pageAll(list, 7), expected, name);
    }
  });

  test("no page request: the default page of 100 and a next_key; the next_key is the key of the 101st item", () => {
    for (const [name, { list, expected }] of Object.entries(lists)) {
      const [first, p] = list(PageRequest.fromPartial({}));
      assert.equal(first.length, DefaultPageLimit, name);
      assert.deepEqual(first, expected.slice(0, DefaultPageLimit), name);
      const [second] = list(PageRequest.fromPartial({ key: p!.nextKey, limit: 1n }));
      assert.deepEqual(second, [expected[DefaultPageLimit]], name);
    }
  });

  test("a limit above the maximum is clamped to 1000 items (with a next_key), never the whole list", () => {
    const { list, expected } = lists["bank AllBalances"];
    const [items, p] = list(PageRequest.fromPartial({ limit: 5000n }));
    assert.equal(items.length, MaxPageLimit);
    assert.deepEqual(items, expected.slice(0, MaxPageLimit));
    assert.equal(Buffer.from(p!.nextKey).toString("latin1"), `d${pad(MaxPageLimit)}`);
    const [rest, last] = list(PageRequest.fromPartial({ key: p!.nextKey, limit: 5000n }));
    assert.deepEqual(rest, expected.slice(MaxPageLimit));
    assert.equal(last!.nextKey.length, 0);
  });

  test("offset, count_total and reverse follow the Cosmos rules; key and offset together are refused", () => {
    const { list, expected } = lists["gov Votes"];
    const [items, p] = list(PageRequest.fromPartial({ offset: 245n, limit: 3n, countTotal: true }));
    assert.deepEqual(items, expected.slice(245, 248));
    assert.equal(p!.total, BigInt(N));
    const [reversed, rp] = list(PageRequest.fromPartial({ reverse: true, limit: 4n }));
    assert.deepEqual(reversed, expected.slice(-4).reverse());
    const [nextReversed] = list(PageRequest.fromPartial({ reverse: true, limit: 2n, key: rp!.nextKey }));
    assert.deepEqual(nextReversed, expected.slice(-6, -4).reverse());
    const res = t.app.query({
      path: "/qos.gov.v1.Query/Votes", height: 0n, prove: false,
      data: gq.QueryVotesRequest.encode({ proposalId: 1n, pagination: PageRequest.fromPartial({ key: rp!.nextKey, offset: 1n }) }).finish(),
    });
    assert.equal(res.code, Errors.invalidRequest.code);
    assert.equal(res.codespace, "sdk");
    assert.match(res.log, /give either key or offset, not both/);
  });

  test("a status filter pages over the matching proposals only", () => {
    const list = lister("/qos.gov.v1.Query/Proposals", (pagination) => gq.QueryProposalsRequest.encode({ status: ProposalStatus.PROPOSAL_STATUS_PASSED, pagination }).finish(), gq.QueryProposalsResponse.decode, (r) => r.proposals.map((x) => String(x.id)));
    assert.deepEqual(pageAll(list, 100), range(N - 1).map((i) => String(i + 2)));
    const voting = lister("/qos.gov.v1.Query/Proposals", (pagination) => gq.QueryProposalsRequest.encode({ status: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, pagination }).finish(), gq.QueryProposalsResponse.decode, (r) => r.proposals.map((x) => String(x.id)));
    assert.deepEqual(voting(PageRequest.fromPartial({}))[0], ["1"]);
  });
});

describe("query limits", () => {
  let t: TestApp;
  before(async () => {
    // a budget of 60 reads and responses of at most 2,000 bytes
    t = await createTestApp(genesis(), { queryLimits: { maxReads: 60, maxResponseBytes: 2000 } });
    await t.block([]);
  });
  after(() => t.destroy());

  test("attack: a query that reads more state than the budget (the live tally of 250 votes) is refused with query/2, over ABCI and gRPC", () => {
    const data = gq.QueryTallyRequest.encode({ proposalId: 1n }).finish();
    const res = t.app.query({ path: "/qos.gov.v1.Query/Tally", data, height: 0n, prove: false });
    assert.equal(res.codespace, "query");
    assert.equal(res.code, 2);
    assert.match(res.log, /^rpc error: code = ResourceExhausted desc = the query read more than 60 entries or 33554432 bytes of state; ask for a smaller page: query reads too much state$/);
    assert.throws(() => t.app.runQuery("/qos.gov.v1.Query/Tally", data, 0), (e: unknown) => e instanceof AppError && e.def === Errors.queryTooExpensive);
    // a page within the budget is answered
    const small = gq.QueryVotesRequest.encode({ proposalId: 1n, pagination: PageRequest.fromPartial({ limit: 10n }) }).finish();
    assert.equal(t.app.query({ path: "/qos.gov.v1.Query/Votes", data: small, height: 0n, prove: false }).code, 0);
  });

  test("attack: a response above the cap is refused with query/1, over ABCI and gRPC", () => {
    // 50 votes read 51 entries (within the budget) and encode to 50 × 56 bytes: above 2,000
    const data = gq.QueryVotesRequest.encode({ proposalId: 1n, pagination: PageRequest.fromPartial({ limit: 50n }) }).finish();
    const res = t.app.query({ path: "/qos.gov.v1.Query/Votes", data, height: 0n, prove: false });
    assert.equal(res.codespace, "query");
    assert.equal(res.code, 1);
    assert.match(res.log, /^rpc error: code = ResourceExhausted desc = \/qos.gov.v1.Query\/Votes: the response has \d+ bytes, the limit is 2000; ask for a smaller page: query response too large$/);
    assert.throws(() => t.app.runQuery("/qos.gov.v1.Query/Votes", data, 0), (e: unknown) => e instanceof AppError && e.def === Errors.queryTooLarge);
  });
});

describe("paginate", () => {
  test("a filter that skips almost everything examines at most 10,000 entries per page and says where to go on", () => {
    const store = new CacheStore({ get: () => undefined, has: () => false, *iterate() {} });
    for (let i = 0; i < MaxPageScan + 50; i++) store.set(`x/${pad(i, 5)}`, new Uint8Array([i >= MaxPageScan + 45 ? 1 : 0]));
    const wanted = (suffix: string, value: Uint8Array) => (value[0] === 1 ? suffix : undefined);
    const first = paginate(store, "x/", PageRequest.fromPartial({ limit: 10n }), wanted);
    assert.deepEqual(first.items, []);
    assert.equal(Buffer.from(first.pagination.nextKey).toString("latin1"), pad(MaxPageScan, 5));
    const second = paginate(store, "x/", PageRequest.fromPartial({ limit: 10n, key: first.pagination.nextKey }), wanted);
    assert.deepEqual(second.items, range(5).map((i) => pad(MaxPageScan + 45 + i, 5)));
    assert.equal(second.pagination.nextKey.length, 0);
    // an offset is skipped whole (the read budget bounds it), then the page is taken
    const offset = paginate(store, "x/", PageRequest.fromPartial({ limit: 2n, offset: 3n }), wanted);
    assert.deepEqual(offset.items, [pad(MaxPageScan + 48, 5), pad(MaxPageScan + 49, 5)]);
  });
});
