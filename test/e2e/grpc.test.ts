// The gRPC query server of a real node (qosd + the real CometBFT), through @grpc/grpc-js clients over the network:
// raw-bytes calls of the router's methods, height selection by x-cosmos-block-height, status codes from module
// errors, and server reflection good enough to build a client from the server's own descriptors.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { openApp } from "../../chain/index.js";
import { toAccAddress } from "../../app/address.js";
import * as qos from "../../gen/qos/bank/v1/query.js";
import { TestNode, sleep } from "../helpers/node.js";
import { nodeServices } from "../../cmd/qosd/services/index.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const GenesisUqos = 1_000_000_000n;
const HeightHeader = "x-cosmos-block-height";

interface CallResult {
  error?: grpc.ServiceError;
  value?: Buffer;
  /** x-cosmos-block-height of the response headers, if any */
  height?: string;
}

/** One unary call with raw protobuf bytes, as a generic gRPC client does it. */
function rawCall(client: grpc.Client, path: string, request: Uint8Array, height?: string): Promise<CallResult> {
  const metadata = new grpc.Metadata();
  if (height !== undefined) metadata.set(HeightHeader, height);
  return new Promise((resolve) => {
    let header: string | undefined;
    const call = client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(request),
      metadata,
      { deadline: Date.now() + 10_000 },
      (error, value) => resolve({ error: error ?? undefined, value, height: header }),
    );
    call.on("metadata", (md: grpc.Metadata) => {
      const v = md.get(HeightHeader)[0];
      if (v !== undefined) header = String(v);
    });
  });
}

/** The reflection service's own proto (shipped with @grpc/reflection), loaded into a client. */
function reflectionClient(version: "v1" | "v1alpha", address: string): any {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve("@grpc/reflection")), "..", "proto");
  const definition = protoLoader.loadSync(join(root, `grpc/reflection/${version}/reflection.proto`), { keepCase: true, oneofs: true, includeDirs: [root] });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  return new pkg.grpc.reflection[version].ServerReflection(address, grpc.credentials.createInsecure());
}

/** Sends reflection requests on one stream and collects one response per request. */
function reflect(client: any, requests: object[]): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const responses: any[] = [];
    const stream = client.ServerReflectionInfo({ deadline: Date.now() + 10_000 });
    stream.on("data", (r: any) => {
      responses.push(r);
      if (responses.length === requests.length) stream.end();
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(responses));
    for (const r of requests) stream.write({ host: "", ...r });
  });
}

/** A FileDescriptorSet (field 1: repeated FileDescriptorProto) from the descriptors reflection returned. */
function descriptorSet(files: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const length: number[] = [];
    let n = file.length;
    while (n >= 0x80) {
      length.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    length.push(n);
    parts.push(Buffer.from([0x0a, ...length]), file);
  }
  return Buffer.concat(parts);
}

describe("gRPC query server of a real node", () => {
  let node: TestNode;
  let client: grpc.Client;
  let me: TestAccount;
  const other = toAccAddress(new Uint8Array(20).fill(9));
  const unknown = toAccAddress(new Uint8Array(20).fill(42));
  let heightBeforeTx = 0;
  /** the query router's paths, from an app opened in-process on an empty database */
  let routerPaths: string[] = [];

  const balance = async (address: string, height?: string) => {
    const res = await rawCall(client, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height);
    assert.equal(res.error, undefined, res.error?.message);
    return { amount: BigInt(QueryBalanceResponse.decode(res.value!).balance!.amount), height: res.height };
  };

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "qos-grpc-router-"));
    try {
      const app = await openApp({ dbPath: join(dir, "db"), profile: "business", log: () => {} });
      routerPaths = app.router.queryPaths;
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    me = await testAccount("grpc e2e genesis account");
    node = await TestNode.create({ accounts: [{ address: me.address, coins: `${GenesisUqos}uqos` }], profile: "business" });
    await node.start();
    // CometBFT stores block h before the app commits it: at height 2 the app has committed at least height 1.
    await node.waitForHeight(2);
    client = new grpc.Client(node.grpcAddress, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await node?.destroy();
  });

  test("Balance of the genesis account is the genesis amount, with the height used as response header", async () => {
    const { amount, height } = await balance(me.address);
    assert.equal(amount, GenesisUqos);
    assert.match(height ?? "", /^[1-9][0-9]*$/);
    assert.ok(Number(height) <= (await node.height()));
    heightBeforeTx = Number(height);
  });

  test("x-cosmos-block-height selects the state of an earlier height", async () => {
    const account = await rawCall(client, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: me.address }).finish());
    assert.equal(account.error, undefined, account.error?.message);
    const base = BaseAccount.decode(QueryAccountResponse.decode(account.value!).account!.value);
    assert.equal(base.address, me.address);
    assert.equal(base.sequence, 0n);

    const send = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: me.address, toAddress: other, amount: [{ denom: "uqos", amount: "1000" }] }) };
    const tx = await signTx(me, [send], { chainId: node.chainId, accountNumber: base.accountNumber, sequence: 0 });
    const res = await node.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(res.code, 0, res.log);
    const fee = 5000n; // signTx's default fee
    const deadline = Date.now() + 20_000;
    let latest = await balance(me.address);
    while (latest.amount === GenesisUqos && Date.now() < deadline) {
      await sleep(100);
      latest = await balance(me.address);
    }
    assert.equal(latest.amount, GenesisUqos - 1000n - fee);
    assert.ok(Number(latest.height) > heightBeforeTx);

    const earlier = await balance(me.address, String(heightBeforeTx));
    assert.equal(earlier.amount, GenesisUqos);
    assert.equal(earlier.height, String(heightBeforeTx));
    assert.equal((await balance(other, String(heightBeforeTx))).amount, 0n);
    assert.equal((await balance(other, latest.height)).amount, 1000n);
    // "0" means latest, as in the Cosmos SDK
    assert.equal(Number((await balance(me.address, "0")).height) >= Number(latest.height), true);
  });

  test("a height header that is not a non-negative integer is INVALID_ARGUMENT; a height not kept is OUT_OF_RANGE", async () => {
    const request = QueryBalanceRequest.encode({ address: me.address, denom: "uqos" }).finish();
    for (const bad of ["abc", "-1", "1.5", ""]) {
      const res = await rawCall(client, "/cosmos.bank.v1beta1.Query/Balance", request, bad);
      assert.equal(res.error?.code, grpc.status.INVALID_ARGUMENT, `height ${JSON.stringify(bad)}: ${res.error?.message}`);
      assert.match(res.error!.details, /x-cosmos-block-height must be a non-negative integer/);
    }
    const future = await rawCall(client, "/cosmos.bank.v1beta1.Query/Balance", request, String((await node.height()) + 1_000_000));
    assert.equal(future.error?.code, grpc.status.OUT_OF_RANGE, future.error?.message);
    assert.match(future.error!.details, /not available/);
  });

  test("module errors map to gRPC codes, and the server keeps serving after bad requests", async () => {
    const path = "/cosmos.auth.v1beta1.Query/Account";
    const notFound = await rawCall(client, path, QueryAccountRequest.encode({ address: unknown }).finish());
    assert.equal(notFound.error?.code, grpc.status.NOT_FOUND, notFound.error?.message);
    assert.equal(notFound.error!.details, `account ${unknown} not found: key not found`);

    const garbage = await rawCall(client, path, Buffer.from([0x0a, 0x05, 0x61]));
    assert.equal(garbage.error?.code, grpc.status.INVALID_ARGUMENT, garbage.error?.message);

    const badBech32 = await rawCall(client, path, QueryAccountRequest.encode({ address: "qosacc1notanaddress" }).finish());
    assert.equal(badBech32.error?.code, grpc.status.INVALID_ARGUMENT, badBech32.error?.message);
    assert.match(badBech32.error!.details, /address/);

    const unimplemented = await rawCall(client, "/cosmos.staking.v1beta1.Query/HistoricalInfo", new Uint8Array());
    assert.equal(unimplemented.error?.code, grpc.status.UNIMPLEMENTED);

    const good = await rawCall(client, path, QueryAccountRequest.encode({ address: me.address }).finish());
    assert.equal(good.error, undefined, good.error?.message);
    assert.equal(BaseAccount.decode(QueryAccountResponse.decode(good.value!).account!.value).address, me.address);
  });

  test("/qos.bank.v1.Query/Account returns number, sequence, public key and balances", async () => {
    const res = await rawCall(client, "/qos.bank.v1.Query/Account", qos.QueryAccountRequest.encode({ address: me.address }).finish());
    assert.equal(res.error, undefined, res.error?.message);
    const account = qos.QueryAccountResponse.decode(res.value!);
    assert.equal(account.address, me.address);
    assert.equal(account.sequence, 1n);
    assert.deepEqual(Buffer.from(account.pubKey), Buffer.from(me.pubkey));
    assert.deepEqual(account.balances, [{ denom: "uqos", amount: String(GenesisUqos - 6000n) }]);
    const missing = await rawCall(client, "/qos.bank.v1.Query/Account", qos.QueryAccountRequest.encode({ address: unknown }).finish());
    assert.equal(missing.error?.code, grpc.status.NOT_FOUND);
  });

  test("every path of the app's query router is served over gRPC", async () => {
    const paths = routerPaths;
    assert.ok(paths.length >= 10, paths.join(" "));
    for (const path of paths) {
      // An empty request is a valid (all-default) message: every method answers with data or a module error.
      const res = await rawCall(client, path, new Uint8Array());
      assert.notEqual(res.error?.code, grpc.status.UNIMPLEMENTED, path);
      assert.notEqual(res.error?.code, grpc.status.INTERNAL, path);
      assert.match(res.height ?? "", /^[1-9][0-9]*$/, path);
    }
  });

  test("server reflection lists the services and describes them well enough to call Balance", async () => {
    for (const version of ["v1", "v1alpha"] as const) {
      const reflection = reflectionClient(version, node.grpcAddress);
      try {
        const [list, file, missing] = await reflect(reflection, [
          { list_services: "*" },
          { file_containing_symbol: "cosmos.bank.v1beta1.Query" },
          { file_containing_symbol: "cosmos.upgrade.v1beta1.Query" },
        ]);
        const names: string[] = list.list_services_response.service.map((s: { name: string }) => s.name);
        for (const name of ["cosmos.auth.v1beta1.Query", "cosmos.bank.v1beta1.Query", "cosmos.tx.v1beta1.Service", "qos.bank.v1.Query"]) {
          assert.ok(names.includes(name), `${name} not in ${names.join(" ")}`);
        }
        // only services the router or the node (blocks, broadcast, config) serves are listed
        const nodePaths = [...nodeServices({ rpcUrl: "", abciQuery: () => { throw new Error("unused"); }, minGasPrice: "", pruning: { keepRecent: 1, interval: 0 } }).keys()];
        const served = new Set([...routerPaths, ...nodePaths].map((p) => p.split("/")[1]));
        for (const name of names) assert.ok(served.has(name), `${name} is listed but not served`);
        const files: Buffer[] = file.file_descriptor_response.file_descriptor_proto;
        assert.ok(files.length >= 3, `${files.length} descriptors`);
        assert.equal(missing.error_response.error_code, grpc.status.NOT_FOUND);

        // The descriptors link under a strict linker (as Go's protodesc in grpcurl): fully qualified type names,
        // and each file lists the files it imports. The first file is the one holding the symbol.
        const decoded = new Map(files.map((b) => fromBinary(FileDescriptorProtoSchema, b)).map((f) => [f.name, f]));
        const linked = createFileRegistry(decoded.get(fromBinary(FileDescriptorProtoSchema, files[0]).name)!, (name) => decoded.get(name));
        const balanceField = linked.getMessage("cosmos.bank.v1beta1.QueryBalanceResponse")?.fields.find((f) => f.name === "balance");
        assert.equal(balanceField?.message?.typeName, "cosmos.base.v1beta1.Coin");
        assert.deepEqual(linked.getService("cosmos.bank.v1beta1.Query")?.methods.map((m) => m.name).sort(), ["AllBalances", "Balance", "DenomMetadata", "DenomsMetadata", "Params", "SpendableBalances", "SupplyOf", "TotalSupply"]);

        // A client built only from what the server sent: no local .proto files.
        const definition = protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet(files), { longs: String, defaults: true });
        const pkg = grpc.loadPackageDefinition(definition) as any;
        const bank = new pkg.cosmos.bank.v1beta1.Query(node.grpcAddress, grpc.credentials.createInsecure());
        try {
          const answer = await new Promise<any>((resolve, reject) =>
            bank.Balance({ address: other, denom: "uqos" }, (err: Error | null, res: any) => (err ? reject(err) : resolve(res))),
          );
          assert.deepEqual(answer, { balance: { denom: "uqos", amount: "1000" } });
          const supply = await new Promise<any>((resolve, reject) =>
            bank.TotalSupply({}, (err: Error | null, res: any) => (err ? reject(err) : resolve(res))),
          );
          const raw = await rawCall(client, "/cosmos.bank.v1beta1.Query/TotalSupply", QueryTotalSupplyRequest.encode({}).finish());
          assert.deepEqual(supply.supply, QueryTotalSupplyResponse.decode(raw.value!).supply);
          assert.deepEqual(supply.supply, [{ denom: "uqos", amount: String(GenesisUqos) }]);
        } finally {
          bank.close();
        }
      } finally {
        reflection.close();
      }
    }
  });
});

describe("gRPC disabled by grpc_address \"\"", () => {
  let node: TestNode;

  before(async () => {
    node = await TestNode.create();
    const file = join(node.home, "config/app.json");
    const config = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(config.grpc_address, node.grpcAddress);
    writeFileSync(file, JSON.stringify({ ...config, grpc_address: "" }));
    await node.start();
  });

  after(async () => {
    await node?.destroy();
  });

  test("the node runs without a gRPC server", async () => {
    assert.match(node.output, /gRPC server disabled/);
    const client = new grpc.Client(node.grpcAddress, grpc.credentials.createInsecure());
    try {
      const res = await rawCall(client, "/cosmos.bank.v1beta1.Query/TotalSupply", new Uint8Array());
      assert.equal(res.error?.code, grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
