// The REST gateway (app/rest) over an in-process app: routes from the proto annotations, Cosmos JSON (proto
// names, defaults, 64-bit strings, Any with @type, null for unset), the block height header, pagination
// parameters, and a hostile client's inputs (bad JSON, unknown fields, wrong types, huge bodies, unknown routes,
// heights not kept) answered with the SDK's error body and HTTP status.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { toBase64 } from "@cosmjs/encoding";
import { RestRoutes } from "../../gen/rest-routes.js";
import { Method } from "../../gen/names.js";
import { compileRoutes, errorBody, httpStatusOf, matchRoute, startRestServer, type RestServer } from "../../app/rest/server.js";
import { requestFromBody, requestFromParams, toCosmosJson } from "../../app/rest/json.js";
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "../../gen/cosmos/bank/v1beta1/query.js";
import { SimulateRequest, SimulateResponse } from "../../gen/cosmos/tx/v1beta1/service.js";
import { AuthInfo, TxBody, TxRaw } from "../../gen/cosmos/tx/v1beta1/tx.js";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { Errors } from "../../app/errors.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One HTTP request; the body parsed as JSON when there is one. */
function call(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(base + path, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

describe("REST gateway: routes and JSON mapping", () => {
  test("every route is a served-or-describable method, and the SDK's paths are where Keplr looks", () => {
    const patterns = new Map(RestRoutes.map((r) => [`${r.verb} ${r.pattern}`, r.method]));
    assert.equal(patterns.get("GET /cosmos/bank/v1beta1/balances/{address}"), Method.cosmos.bank.v1beta1.Query.AllBalances);
    assert.equal(patterns.get("GET /cosmos/bank/v1beta1/balances/{address}/by_denom"), Method.cosmos.bank.v1beta1.Query.Balance);
    assert.equal(patterns.get("GET /cosmos/auth/v1beta1/accounts/{address}"), Method.cosmos.auth.v1beta1.Query.Account);
    assert.equal(patterns.get("POST /cosmos/tx/v1beta1/simulate"), Method.cosmos.tx.v1beta1.Service.Simulate);
    assert.equal(patterns.get("GET /qos/stake/v1/validators/{validator}"), Method.qos.stake.v1.Query.Validator);
    for (const route of RestRoutes) assert.match(route.pattern, route.method.startsWith("/qos.") ? /^\/qos\/\w+\/v1\// : /^\/cosmos\//);
  });

  test("a literal segment wins over a variable one; path variables are URL-decoded", () => {
    const table = compileRoutes([
      { verb: "GET", pattern: "/a/{x}", method: "/m.S/X", body: false, request: "", response: "" },
      { verb: "GET", pattern: "/a/latest", method: "/m.S/Latest", body: false, request: "", response: "" },
    ]);
    assert.equal(matchRoute(table, "GET", "/a/latest")?.route.method, "/m.S/Latest");
    const m = matchRoute(table, "GET", "/a/q%2Fx");
    assert.equal(m?.route.method, "/m.S/X");
    assert.deepEqual([...m!.vars], [["x", "q/x"]]);
    assert.equal(matchRoute(table, "POST", "/a/latest"), undefined);
    assert.equal(matchRoute(table, "GET", "/a/"), undefined);
    assert.equal(matchRoute(table, "GET", "/a/%E0%A4%A"), undefined);
  });

  test("Cosmos JSON: proto names, defaults emitted, int64 as strings, bytes as base64, unset message as null", () => {
    const bytes = QueryAllBalancesResponse.encode({ balances: [{ denom: "uqos", amount: "5" }], pagination: { nextKey: new Uint8Array([1, 2, 255]), total: 7n } }).finish();
    assert.deepEqual(toCosmosJson("cosmos.bank.v1beta1.QueryAllBalancesResponse", bytes), {
      balances: [{ denom: "uqos", amount: "5" }],
      pagination: { next_key: "AQL/", total: "7" },
    });
    assert.deepEqual(toCosmosJson("cosmos.bank.v1beta1.QueryAllBalancesResponse", new Uint8Array()), { balances: [], pagination: null });
    assert.deepEqual(toCosmosJson("cosmos.base.query.v1beta1.PageResponse", new Uint8Array()), { next_key: null, total: "0" });
  });

  test("query parameters: nested names, proto or JSON names, bools, unknown names ignored, wrong types refused", () => {
    const q = new URLSearchParams("pagination.limit=2&pagination.count_total=true&pagination.key=AQL%2F&resolveDenom=true&whatever=1");
    const decoded = QueryAllBalancesRequest.decode(requestFromParams("cosmos.bank.v1beta1.QueryAllBalancesRequest", new Map([["address", "qosacc1x"]]), q));
    assert.deepEqual(decoded, {
      address: "qosacc1x",
      pagination: { key: new Uint8Array([1, 2, 255]), offset: 0n, limit: 2n, countTotal: true, reverse: false },
      resolveDenom: true,
    });
    const refused = (query: string, message: RegExp) =>
      assert.throws(() => requestFromParams("cosmos.bank.v1beta1.QueryAllBalancesRequest", new Map(), new URLSearchParams(query)), (e: any) => e.code === 18 && message.test(e.message));
    refused("pagination.limit=abc", /invalid cosmos.bank.v1beta1.QueryAllBalancesRequest: .*limit/);
    refused("pagination.limit=-1", /limit/);
    refused("pagination.count_total=yes", /^query parameter pagination.count_total must be true or false, got "yes": invalid request$/);
    refused("pagination=1", /^query parameter pagination names a message field; give its fields \(pagination.<field>\): invalid request$/);
    refused("address=a&address=b", /^query parameter address given 2 times: invalid request$/);
  });

  test("JSON bodies: strict (unknown fields, duplicate keys, wrong types, not JSON are invalid requests)", () => {
    const type = "cosmos.tx.v1beta1.SimulateRequest";
    assert.deepEqual(SimulateRequest.decode(requestFromBody(type, '{"tx_bytes":"AQI="}')).txBytes, new Uint8Array([1, 2]));
    assert.deepEqual(SimulateRequest.decode(requestFromBody(type, '{"txBytes":"AQI="}')).txBytes, new Uint8Array([1, 2]));
    for (const body of ['{"tx_bytes":"AQI=","extra":1}', '{"tx_bytes":"AQI=","tx_bytes":"AQI="}', '{"tx_bytes":5}', "{tx_bytes:", "[]", ""]) {
      assert.throws(() => requestFromBody(type, body), (e: any) => e.code === 18 && /^request body is not a valid cosmos.tx.v1beta1.SimulateRequest: /.test(e.message), body);
    }
  });

  test("gRPC codes map to grpc-gateway's HTTP statuses", () => {
    assert.deepEqual(
      Array.from({ length: 18 }, (_, code) => httpStatusOf(code)),
      [200, 408, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401, 500],
    );
    assert.deepEqual(errorBody(5, "x"), { code: 5, message: "x", details: [] });
  });
});

describe("REST gateway over an app", () => {
  let t: TestApp;
  let server: RestServer;
  let base: string;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    alice = await testAccount("rest-alice");
    bob = await testAccount("rest-bob");
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000" }, { denom: "ustar", amount: "9" }] }]));
    await t.block([]);
    await t.block([]);
    server = await startRestServer(t.app, { address: "127.0.0.1:0", corsOrigins: ["https://wallet.example"], maxBodyBytes: 64 * 1024, log: () => {} });
    base = `http://${server.address}`;
  });
  after(async () => {
    await server?.close();
    await t?.destroy();
  });

  test("balances, one denom, pagination and the height header", async () => {
    const all = await call(base, `/cosmos/bank/v1beta1/balances/${alice.address}`);
    assert.equal(all.status, 200);
    assert.equal(all.headers["x-cosmos-block-height"], "2");
    assert.equal(all.headers["content-type"], "application/json");
    assert.deepEqual(all.body, { balances: [{ denom: "uqos", amount: "1000000" }, { denom: "ustar", amount: "9" }], pagination: { next_key: null, total: "0" } });
    const page = await call(base, `/cosmos/bank/v1beta1/balances/${alice.address}?pagination.limit=1&pagination.count_total=true`);
    assert.deepEqual(page.body, { balances: [{ denom: "uqos", amount: "1000000" }], pagination: { next_key: toBase64(new TextEncoder().encode("ustar")), total: "2" } });
    const next = await call(base, `/cosmos/bank/v1beta1/balances/${alice.address}?pagination.key=${encodeURIComponent(page.body.pagination.next_key)}`);
    assert.deepEqual(next.body.balances, [{ denom: "ustar", amount: "9" }]);
    const one = await call(base, `/cosmos/bank/v1beta1/balances/${alice.address}/by_denom?denom=uqos`, { headers: { "x-cosmos-block-height": "1" } });
    assert.equal(one.headers["x-cosmos-block-height"], "1");
    assert.deepEqual(one.body, { balance: { denom: "uqos", amount: "1000000" } });
  });

  test("an account is an Any with @type; an unknown one is 404 with the SDK body", async () => {
    const res = await call(base, `/cosmos/auth/v1beta1/accounts/${alice.address}`);
    assert.deepEqual(res.body, { account: { "@type": "/cosmos.auth.v1beta1.BaseAccount", address: alice.address, pub_key: null, account_number: "0", sequence: "0" } });
    const unknown = await call(base, `/cosmos/auth/v1beta1/accounts/${bob.address}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { code: 5, message: `account ${bob.address} not found: key not found`, details: [] });
    const bad = await call(base, `/cosmos/auth/v1beta1/accounts/qosacc1notanaddress`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 3);
    assert.match(bad.body.message, /invalid address$/);
  });

  test("unknown routes and methods are 501 Not Implemented, as in the SDK", async () => {
    for (const [method, path] of [["GET", "/cosmos/nothing/v1/here"], ["GET", "/"], ["DELETE", "/cosmos/bank/v1beta1/supply"], ["GET", "/cosmos/tx/v1beta1/simulate"]]) {
      const res = await call(base, path, { method });
      assert.equal(res.status, 501, `${method} ${path}`);
      assert.deepEqual(res.body, { code: 12, message: "Not Implemented", details: [] });
    }
  });

  test("heights: not kept → 400 invalid height, not a number → 400", async () => {
    const far = await call(base, "/cosmos/bank/v1beta1/supply", { headers: { "x-cosmos-block-height": "99" } });
    assert.equal(far.status, 400);
    assert.deepEqual(far.body, { code: 11, message: "state at height 99 is not available (latest 2; recent heights only): invalid height", details: [] });
    const junk = await call(base, "/cosmos/bank/v1beta1/supply", { headers: { "x-cosmos-block-height": "12abc" } });
    assert.equal(junk.status, 400);
    assert.deepEqual(junk.body, { code: 3, message: 'x-cosmos-block-height must be a non-negative integer, got "12abc": invalid request', details: [] });
  });

  test("simulate by POST: a signed tx gives its gas; bad bodies are 400, a huge one 413", async () => {
    const tx = await signTx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "7" }] } }], {
      chainId: "qos-unit-1", accountNumber: 0, sequence: 0,
    });
    const res = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body: JSON.stringify({ tx_bytes: toBase64(tx) }) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // the same answer as the method over ABCI/gRPC, in JSON
    const direct = SimulateResponse.decode(t.app.runQuery(Method.cosmos.tx.v1beta1.Service.Simulate, SimulateRequest.encode(SimulateRequest.fromPartial({ txBytes: tx })).finish(), 0));
    assert.deepEqual(res.body.gas_info, { gas_wanted: "200000", gas_used: String(direct.gasInfo!.gasUsed) });
    assert.deepEqual(Object.keys(res.body.result), ["data", "log", "events", "msg_responses"]);
    assert.equal(res.body.result.events.length, direct.result!.events.length);
    assert.equal(res.body.result.events[0].type, direct.result!.events[0].type);
    for (const body of ["{", '{"tx_bytes":"AQI=","junk":true}', '{"tx_bytes":12}', "null"]) {
      const bad = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body });
      assert.equal(bad.status, 400, body);
      assert.equal(bad.body.code, 3);
      assert.deepEqual(bad.body.details, []);
    }
    // declared (refused before reading) and chunked (refused once past the limit)
    const hugeBody = JSON.stringify({ tx_bytes: "A".repeat(100 * 1024) });
    const declared = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body: hugeBody, headers: { "Content-Length": String(hugeBody.length) } });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.body, { code: 8, message: "request body of 102415 bytes is above the limit of 65536", details: [] });
    const chunked = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body: hugeBody });
    assert.equal(chunked.status, 413);
    assert.deepEqual(chunked.body, { code: 8, message: "request body is above the limit of 65536 bytes", details: [] });
    // still serving
    assert.equal((await call(base, "/cosmos/bank/v1beta1/supply")).status, 200);
  });

  test("simulate with the deprecated tx (a decoded Tx, as older clients send it) answers as with tx_bytes", async () => {
    const txBytes = await signTx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "9" }] } }], {
      chainId: "qos-unit-1", accountNumber: 0, sequence: 0,
    });
    const raw = TxRaw.decode(txBytes);
    const tx = { body: TxBody.decode(raw.bodyBytes), authInfo: AuthInfo.decode(raw.authInfoBytes), signatures: raw.signatures };
    const path = Method.cosmos.tx.v1beta1.Service.Simulate;
    const byBytes = t.app.runQuery(path, SimulateRequest.encode(SimulateRequest.fromPartial({ txBytes })).finish(), 0);
    const byTx = t.app.runQuery(path, SimulateRequest.encode({ tx, txBytes: new Uint8Array() }).finish(), 0);
    assert.deepEqual(SimulateResponse.decode(byTx), SimulateResponse.decode(byBytes));
    // over REST, in the SDK's JSON: {"tx": {"body": {"messages": [{"@type": …}]}, "auth_info": …, "signatures": […]}}
    const body = toCosmosJson("cosmos.tx.v1beta1.SimulateRequest", SimulateRequest.encode({ tx, txBytes: new Uint8Array() }).finish()) as any;
    assert.equal(body.tx.body.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend");
    const res = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body: JSON.stringify({ tx: body.tx }) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.gas_info.gas_used, String(SimulateResponse.decode(byBytes).gasInfo!.gasUsed));
    // neither form: 400
    const empty = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "POST", body: "{}" });
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.body, { code: 3, message: "SimulateRequest has neither tx_bytes nor tx: invalid request", details: [] });
  });

  test("a node service that cannot reach CometBFT answers 503 Unavailable; one that refuses, its own code", async () => {
    const services = new Map([
      [Method.cosmos.base.tendermint.v1beta1.Service.GetSyncing, async () => { throw Errors.nodeUnavailable.with("CometBFT RPC status: fetch failed"); }],
      [Method.cosmos.tx.v1beta1.Service.GetTx, async () => { throw Errors.notFound.with("tx (AB) not found"); }],
    ]);
    const withServices = await startRestServer(t.app, { address: "127.0.0.1:0", services, log: () => {} });
    try {
      const down = await call(`http://${withServices.address}`, "/cosmos/base/tendermint/v1beta1/syncing");
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { code: 14, message: "CometBFT RPC status: fetch failed: node unavailable", details: [] });
      const missing = await call(`http://${withServices.address}`, `/cosmos/tx/v1beta1/txs/${"AB".repeat(32)}`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { code: 5, message: "tx (AB) not found: not found", details: [] });
      // a described method nobody serves
      const unserved = await call(`http://${withServices.address}`, "/cosmos/base/tendermint/v1beta1/node_info");
      assert.equal(unserved.status, 501);
      assert.deepEqual(unserved.body, { code: 12, message: "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo is not served by this node", details: [] });
    } finally {
      await withServices.close();
    }
  });

  test("CORS: an allowed origin is echoed with the height header exposed; others get no CORS headers", async () => {
    const ok = await call(base, "/cosmos/bank/v1beta1/supply", { headers: { Origin: "https://wallet.example" } });
    assert.equal(ok.headers["access-control-allow-origin"], "https://wallet.example");
    assert.equal(ok.headers["access-control-expose-headers"], "x-cosmos-block-height");
    const other = await call(base, "/cosmos/bank/v1beta1/supply", { headers: { Origin: "https://evil.example" } });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    const preflight = await call(base, "/cosmos/tx/v1beta1/simulate", { method: "OPTIONS", headers: { Origin: "https://wallet.example" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
  });
});
