// qoscli's light client (client/light.ts, client/light-store.ts) against fake CometBFT RPC nodes served in
// process: a test app answering abci_query through ABCI (real Merkle proofs) beside a synthetic signed chain
// whose header h+1 carries the app hash after block h; and the recorded qos-light-1 network (validator-set
// changes) for bisection. Exact values throughout; every refusal names what the node got wrong.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { headerHash, lightBlockFromRpc, type LightBlock } from "../../app/light/index.js";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import {
  addVerifyFlag, CliContext, CliError, describeRoot, initTrustRoot, LightRpc, TrustStore, verifiedStateFor, verifyLatest,
} from "../../client/index.js";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { parseDurationSecs } from "../../cmd/qoscli/light.js";
import { balanceEntry, supplyEntry } from "../../modules/bank/keeper.js";
import { QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { Method } from "../../gen/names.js";
import { accountEntry } from "../../modules/auth/keeper.js";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { at, key, lightBlockToRpc, makeBlock, T0, type Member } from "../helpers/light-chain.js";

type Handler = (params: Record<string, string | boolean>) => unknown;

/** A JSON-RPC server with the given methods; records every call. */
async function fakeNode(methods: Record<string, Handler>): Promise<{ url: string; server: Server; calls: Array<[string, Record<string, unknown>]> }> {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: Record<string, string | boolean> };
      calls.push([method, params]);
      let answer: unknown;
      try {
        const handler = methods[method];
        answer = handler ? { jsonrpc: "2.0", id, result: handler(params) } : { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } };
      } catch (e) {
        answer = { jsonrpc: "2.0", id, error: { code: -32603, message: "Internal error", data: (e as Error).message } };
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, calls };
}

const rpcTo = (url: string) => new LightRpc(url, (e) => new CliError(`unreachable: ${(e as Error).message}`), 10);
const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

describe("light client over a test app through ABCI (real proofs, synthetic signed headers)", () => {
  const members: Member[] = [{ key: key("v1"), power: 10n }, { key: key("v2"), power: 10n }, { key: key("v3"), power: 10n }];
  const alice = toAccAddress(new Uint8Array(20).fill(7));
  const chainId = "test-chain";
  let t: TestApp;
  let home: string;
  let node: Awaited<ReturnType<typeof fakeNode>>;
  const appHashes = new Map<number, Uint8Array>();
  const blocks = new Map<bigint, LightBlock>();
  let tamper: ((method: string, result: any) => void) | undefined;
  const now = () => at(T0 + 10n * 12n + 5n);

  const header = (h: bigint): LightBlock => {
    if (!blocks.has(h)) blocks.set(h, makeBlock({ height: h, members, nextMembers: members, appHash: appHashes.get(Number(h) - 1) }));
    return blocks.get(h)!;
  };
  const withTamper = (method: string, result: any) => {
    tamper?.(method, result);
    return result;
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "qoscli-light-unit-"));
    t = await createTestApp(genesisWith([{ address: alice, coins: [{ denom: "uqos", amount: "1234567" }] }]), { chainId });
    appHashes.set(0, new Uint8Array(32));
    for (let i = 0; i < 10; i++) appHashes.set(t.height + 1, (await t.block([])).appHash);
    // the app has committed 10 blocks; the "node" has produced headers 1..11 (11 carries the state after 10)
    node = await fakeNode({
      abci_info: () => ({ response: { last_block_height: String(t.height) } }),
      status: () => ({ sync_info: { latest_block_height: String(t.height + 1) } }),
      commit: (p) => withTamper("commit", structuredClone(lightBlockToRpc(header(BigInt(p.height as string))).commit)),
      validators: (p) => lightBlockToRpc(header(BigInt(p.height as string))).validators,
      abci_query: (p) => {
        const r = t.app.query({ path: p.path as string, data: Buffer.from(p.data as string, "hex"), height: BigInt(p.height as string), prove: p.prove === true });
        const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
        return withTamper("abci_query", {
          response: {
            code: r.code, log: r.log, info: "", index: "0", key: b64(r.key), value: b64(r.value), height: String(r.height), codespace: r.codespace,
            proofOps: r.proofOps ? { ops: r.proofOps.ops.map((o) => ({ type: o.type, key: b64(o.key), data: b64(o.data) })) } : null,
          },
        });
      },
    });
  });

  after(async () => {
    node?.server.close();
    await t?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  test("light init: the right hash stores a root that reads back; a wrong hash or chain id is refused and nothing stored", async () => {
    const store = new TrustStore(home);
    const h2 = hexU(headerHash(header(2n).signedHeader.header));
    const wrong = "00".repeat(32);
    await assert.rejects(initTrustRoot(rpcTo(node.url), store, { height: 2n, hash: wrong }, now()), {
      message: `header 2 from ${node.url} has hash ${h2}, not the trusted ${wrong.toUpperCase()}: the node is on another chain or fork, or the hash is wrong; nothing stored`,
    });
    await assert.rejects(initTrustRoot(rpcTo(node.url), store, { height: 2n, hash: h2, chainId: "other-1" }, now()), { message: `header 2 is of chain ${chainId}, not --chain-id other-1; nothing stored` });
    await assert.rejects(initTrustRoot(rpcTo(node.url), store, { height: 2n, hash: h2, trustingPeriodSecs: 60n }, now()), {
      message: `header 2 (2023-11-14T22:13:40Z) is older than the trusting period (60 s): trust a more recent header; nothing stored`,
    });
    assert.deepEqual(store.chains(), []);
    const root = await initTrustRoot(rpcTo(node.url), store, { height: 2n, hash: h2.toLowerCase() }, now());
    assert.deepEqual(describeRoot(store.load(chainId)!, now(), store.path(chainId)), {
      chain_id: chainId, height: "2", hash: h2, time: "2023-11-14T22:13:40Z", app_hash: hexU(appHashes.get(1)!), validators: 3,
      trusting_period_secs: "1209600", expires: "2023-11-28T22:13:40Z", expired: false, file: join(home, "light", `${chainId}.json`),
    });
    assert.equal(root.hash, h2);
    // a hand-edited root is refused, not trusted
    const path = store.path(chainId);
    const good = readFileSync(path, "utf8");
    const file = JSON.parse(good);
    file.signed_header.header.app_hash = "AB".repeat(32);
    writeFileSync(path, JSON.stringify(file));
    assert.throws(() => store.load(chainId), (e: Error) => e instanceof CliError && /^the trust root .* is not usable \(commit signs block [0-9A-F]{64}, header is block [0-9A-F]{64}\); set a new one with qoscli light init$/.test(e.message));
    writeFileSync(path, good);
    assert.throws(() => store.path("../x"), { message: 'chain id "../x" cannot name a trust root (letters, digits, \'.\', \'_\', \'-\')' });
  });

  test("verified reads: a balance by membership, an absent denom and account by non-membership; the root advances to header h+1", async () => {
    const store = new TrustStore(home);
    const { state, root } = await verifyLatest(rpcTo(node.url), store, store.load(chainId)!, now());
    assert.deepEqual([state.height, state.headerHeight, hexU(state.appHash)], [10n, 11n, hexU(appHashes.get(10)!)]);
    assert.equal(root.height, 11n);
    assert.equal(store.load(chainId)!.height, 11n, "stored");
    const address = parseAccAddress(alice);
    assert.equal(await state.get(balanceEntry(address, "uqos"), "alice's uqos"), 1234567n);
    assert.equal(await state.get(balanceEntry(address, "ustar"), "alice's ustar"), undefined);
    assert.equal((await state.get(accountEntry(address), "alice's account"))!.address, alice);
    assert.equal(await state.get(accountEntry(new Uint8Array(20).fill(8)), "nobody's account"), undefined);
    // the supply (minted every block) proven at 10 is what the gRPC query answers at 10
    const supplyAt10 = QuerySupplyOfResponse.decode(t.app.query({ path: Method.cosmos.bank.v1beta1.Query.SupplyOf, data: QuerySupplyOfRequest.encode({ denom: "uqos" }).finish(), height: 10n, prove: false }).value).amount!.amount;
    assert.ok(BigInt(supplyAt10) > 1234567n);
    assert.equal(await state.get(supplyEntry("uqos"), "the uqos supply"), BigInt(supplyAt10));
    // once the root is at 11, a second read in the same block needs no header: 11 is trusted
    node.calls.length = 0;
    const again = await verifyLatest(rpcTo(node.url), store, store.load(chainId)!, now());
    assert.equal(again.state.headerHeight, 11n);
    assert.deepEqual(node.calls.map(([m]) => m), ["abci_info"]);
  });

  test("a node that changes a value, drops a proof or proves another key is refused with the clear error", async () => {
    const store = new TrustStore(home);
    const { state } = await verifyLatest(rpcTo(node.url), store, store.load(chainId)!, now());
    const address = parseAccAddress(alice);
    const what = "the uqos balance of alice";
    const refused = async (change: (r: any) => void, why: string) => {
      tamper = (method, result) => method === "abci_query" && change(result.response);
      try {
        await assert.rejects(state.get(balanceEntry(address, "uqos"), what), {
          message: `the node's answer for ${what} does not match its proof at height 10 (${why}; app hash ${hexU(appHashes.get(10)!)} of header 11, verified from the trust root)`,
        });
      } finally {
        tamper = undefined;
      }
    };
    await refused((r) => (r.value = Buffer.from("9999999").toString("base64")), "the value is not the one the proof commits to");
    await refused((r) => (r.value = ""), "the proof does not show the key absent");
    await refused((r) => (r.proofOps = null), "no proof of type qos:smt");
    await refused((r) => (r.height = "9"), "it answered for height 9");
    await refused((r) => (r.proofOps.ops[0].data = Buffer.from([1, 0, 0]).toString("base64")), "invalid Merkle proof encoding: 3 bytes, need at least 4");
    // the proof of another key, passed off as this one's: key fields rewritten, proof kept
    const other = balanceEntry(address, "ustar");
    tamper = (method, result) => {
      if (method !== "abci_query") return;
      const r = t.app.query({ path: "/store/key", data: other.key, height: 10n, prove: true });
      result.response.proofOps.ops[0].data = Buffer.from(r.proofOps!.ops[0].data).toString("base64");
      result.response.value = "";
    };
    try {
      await assert.rejects(state.get(balanceEntry(address, "uqos"), what), /the proof does not show the key absent/);
    } finally {
      tamper = undefined;
    }
  });

  test("a header with a changed app hash is refused by the header check; the root does not move", async () => {
    const store = new TrustStore(home);
    const before = store.load(chainId)!;
    for (let i = 0; i < 2; i++) appHashes.set(t.height + 1, (await t.block([])).appHash); // state 12: header 13 carries its hash
    tamper = (method, result) => {
      if (method === "commit" && result.signed_header.header.height === "13") result.signed_header.header.app_hash = "AB".repeat(32);
    };
    try {
      await assert.rejects(verifyLatest(rpcTo(node.url), store, before, at(T0 + 10n * 13n + 5n)), (e: Error) => {
        assert.match(e.message, new RegExp(`^header 13 from ${node.url} is not signed by the trusted validators \\(trust root: header 11 of test-chain\\): verification from height 11 to 13 failed: commit signs block [0-9A-F]{64}, header is block [0-9A-F]{64}$`));
        return true;
      });
    } finally {
      tamper = undefined;
    }
    assert.equal(store.load(chainId)!.height, 11n);
    await assert.rejects(verifyLatest(rpcTo(node.url), store, before, at(T0 + 10n * 11n + 14n * 86_400n)), {
      message:
        "the trust root for test-chain (header 11, 2023-11-14T22:15:10Z) is older than its trusting period of 1209600 s, so its validators may no longer be accountable " +
        "(verification from height 11 to 13 failed: old header has expired at 2023-11-28T22:15:10.000000000Z (now: 2023-11-28T22:15:10.000000000Z)); " +
        "set a new one with qoscli light init --trust-height H --trust-hash X, taking H and X from a source you trust",
    });
  });

  test("--verify: the flag's values; on by default only with a trust root; --verify without one is an error", async () => {
    const parse = (args: string[]) => {
      const cmd = addVerifyFlag(new Command("q").exitOverride().configureOutput({ writeErr: () => {} }).argument("<w>").action(() => {}));
      cmd.parse(args, { from: "user" });
      return cmd.opts().verify;
    };
    assert.deepEqual([parse(["a"]), parse(["a", "--verify"]), parse(["a", "--verify=false"]), parse(["a", "--verify=true"])], [undefined, true, false, true]);
    assert.throws(() => parse(["--verify", "a"]), /expected true or false \(write --verify=false\), got "a"/);
    const ctx = (chain: string) => new CliContext({ node: "http://127.0.0.1:9", chainId: chain, home, output: "json", keyringBackend: "test" });
    assert.equal(await verifiedStateFor(ctx("none-1"), false), undefined);
    assert.equal(await verifiedStateFor(ctx(chainId), false), undefined, "--verify=false skips even with a root");
    await assert.rejects(verifiedStateFor(ctx("none-1"), true), { message: `--verify: there is no trust root for chain none-1 in ${join(home, "light")}; set one with qoscli light init --trust-height H --trust-hash X` });
    assert.deepEqual([parseDurationSecs("336h", "d"), parseDurationSecs("14d", "d"), parseDurationSecs("90m", "d"), parseDurationSecs("3600s", "d"), parseDurationSecs("5", "d")], [1209600n, 1209600n, 5400n, 3600n, 5n]);
    assert.throws(() => parseDurationSecs("2w", "--trusting-period"), { message: '--trusting-period "2w": write a duration such as 336h, 14d, 90m or 3600s' });
  });
});

describe("light client bisection over the recorded qos-light-1 network (validator-set changes)", () => {
  interface Fixture { heights: { height: string; commit: any; validators: any }[] }
  const fixture: Fixture = JSON.parse(readFileSync(join(repoRoot, "test/fixtures/light/qos-light-1.json"), "utf8"));
  const record = (h: string) => fixture.heights.find((r) => r.height === h)!;
  const block1 = lightBlockFromRpc(record("1").commit, record("1").validators.validators);
  const t29 = lightBlockFromRpc(record("29").commit, record("29").validators.validators).signedHeader.header.time;
  const now = { seconds: t29.seconds + 60n, nanos: 0 };
  let home: string;
  let node: Awaited<ReturnType<typeof fakeNode>>;
  let forge = false;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "qoscli-light-bisect-"));
    node = await fakeNode({
      abci_info: () => ({ response: { last_block_height: "28" } }),
      status: () => ({ sync_info: { latest_block_height: "29" } }),
      commit: (p) => {
        const c = structuredClone(record(p.height as string).commit);
        if (forge && p.height === "29") c.signed_header.header.app_hash = "AB".repeat(32);
        return c;
      },
      validators: (p) => record(p.height as string).validators,
    });
  });
  after(() => {
    node?.server.close();
    rmSync(home, { recursive: true, force: true });
  });

  test("from a root at header 1 to header 29: the skip fails the trust level, bisection through 15 succeeds, 29 becomes the root", async () => {
    const store = new TrustStore(home);
    const hash1 = hexU(headerHash(block1.signedHeader.header));
    const root = await initTrustRoot(rpcTo(node.url), store, { height: 1n, hash: hash1 }, now);
    assert.equal(root.chainId, "qos-light-1");
    node.calls.length = 0;
    forge = true;
    await assert.rejects(verifyLatest(rpcTo(node.url), store, root, now), {
      message: new RegExp(`^header 29 from ${node.url} is not signed by the trusted validators \\(trust root: header 1 of qos-light-1\\): verification from height 1 to 29 failed: commit signs block`),
    });
    assert.equal(store.load("qos-light-1")!.height, 1n);
    forge = false;
    node.calls.length = 0;
    const { state, root: next } = await verifyLatest(rpcTo(node.url), store, root, now);
    assert.deepEqual([state.height, state.headerHeight, next.height], [28n, 29n, 29n]);
    assert.deepEqual(node.calls.filter(([m]) => m === "commit").map(([, p]) => p.height), ["29", "15"], "the pivot halfway, as CometBFT's verifySkipping");
    assert.equal(hexU(state.appHash), record("29").commit.signed_header.header.app_hash);
    assert.equal(store.load("qos-light-1")!.hash, record("29").commit.signed_header.commit.block_id.hash);
  });
});
