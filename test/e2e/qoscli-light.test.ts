// qoscli's light client end to end (issue 12 part 5, whitepaper §5.1): a real node (qosd + CometBFT), the
// compiled CLI as a child process. `light init` takes the right hash and refuses a wrong one; `--verify`
// prints the exact balance from the honest node; through an HTTP proxy that changes the balance in
// abci_query answers, or the app hash in a header, the same command fails with a clear error and prints
// nothing on stdout.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode } from "../helpers/node.js";
import { mnemonicWallet } from "../helpers/wallet.js";

const initial = 1_000_000_000_000n;
const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
type Run = { status: number | null; stdout: string; stderr: string };

/** A JSON-RPC proxy in front of `target` that may rewrite one method's result. */
async function tamperingProxy(target: () => string, rewrite: (method: string, params: any, result: any) => void): Promise<{ url: string; server: Server; tampered: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", async () => {
      try {
        const upstream = await fetch(target(), { method: "POST", headers: { "content-type": "application/json" }, body });
        const text = await upstream.text();
        const request = JSON.parse(body) as { method: string; params: unknown };
        const answer = JSON.parse(text) as { result?: unknown };
        if (answer.result !== undefined) {
          const before = JSON.stringify(answer.result);
          rewrite(request.method, request.params, answer.result);
          if (JSON.stringify(answer.result) !== before) count++;
        }
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, tampered: () => count };
}

describe("qoscli light client against a real node", () => {
  let node: TestNode;
  let home: string;
  let funded: string;
  let fresh: string;
  const proxies: Server[] = [];

  // async (not spawnSync): the tampering proxies run in this process and must answer meanwhile
  const run = (args: string[], nodeUrl = node.rpcUrl): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, "dist/cmd/qoscli/main.js"), ...args, "--home", home, "--keyring-backend", "test", "--node", nodeUrl], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "", stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.stdin.end(args.includes("--recover") ? mnemonic + "\n" : "");
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  const ok = async (args: string[], nodeUrl?: string): Promise<Run> => {
    const r = await run(args, nodeUrl);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const json = async <T = any>(args: string[], nodeUrl?: string): Promise<T> => JSON.parse((await ok([...args, "--output", "json"], nodeUrl)).stdout) as T;
  const fails = async (args: string[], pattern: RegExp, nodeUrl?: string): Promise<Run> => {
    const r = await run(args, nodeUrl);
    assert.notEqual(r.status, 0, `expected qoscli ${args.join(" ")} to fail, got:\n${r.stdout}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, "", "nothing is printed as a result");
    return r;
  };
  const blockHash = async (height: number): Promise<string> =>
    ((await node.rpc<{ block_id: { hash: string } }>("block", { height: String(height) })).block_id.hash as string).toUpperCase();

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "qoscli-light-e2e-"));
    [{ address: funded }] = await (await mnemonicWallet(mnemonic)).getAccounts();
    node = await TestNode.create({ chainId: "qos-light-e2e-1", accounts: [{ address: funded, coins: `${initial}uqos` }] });
    await node.start();
  });

  after(async () => {
    for (const p of proxies) p.close();
    await node?.destroy();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("light init: a wrong hash is refused and nothing stored; the right hash becomes the trust root", async () => {
    const hash = await blockHash(2);
    const wrong = (hash[0] === "A" ? "B" : "A") + hash.slice(1);
    await fails(["light", "init", "--trust-height", "2", "--trust-hash", wrong], new RegExp(`header 2 from .* has hash ${hash}, not the trusted ${wrong}.*nothing stored`));
    await fails(["light", "status", "--chain-id", node.chainId], /no trust root for chain qos-light-e2e-1/);
    const root = await json(["light", "init", "--trust-height", "2", "--trust-hash", hash.toLowerCase()]);
    assert.deepEqual({ chain_id: root.chain_id, height: root.height, hash: root.hash, validators: root.validators, expired: root.expired, trusting_period_secs: root.trusting_period_secs },
      { chain_id: node.chainId, height: "2", hash, validators: 1, expired: false, trusting_period_secs: String(14 * 24 * 3600) });
    const status = await json(["light", "status"]);
    assert.deepEqual(status.trust_roots.map((r: any) => [r.chain_id, r.height, r.hash]), [[node.chainId, "2", hash]]);
    // a trust file (what `light status --chain-id <id> --output json` prints on a trusted machine) does the same
    const file = join(home, "trusted.json");
    writeFileSync(file, JSON.stringify(await json(["light", "status", "--chain-id", node.chainId])));
    assert.equal((await json(["light", "init", "--trust-file", file])).hash, hash);
    await fails(["light", "init", "--trust-file", file, "--chain-id", "other-1"], /--trust-file is for chain qos-light-e2e-1, not --chain-id other-1/);
  });

  test("--verify against the honest node: exact balances (present and proven absent), account, qcp sequences; the root advances", async () => {
    await ok(["keys", "add", "rich", "--recover"]);
    fresh = (await json(["keys", "add", "fresh"])).address;
    await ok(["tx", "bank", "send", "rich", fresh, "12345uqos", "--gas", "200000", "--fees", "5000uqos", "--broadcast-mode", "block"]);
    const b = await json(["query", "balance", fresh, "uqos", "--verify"]);
    assert.deepEqual(b, { denom: "uqos", amount: "12345" });
    assert.deepEqual(await json(["query", "balance", fresh, "ustar", "--verify"]), { denom: "ustar", amount: "0" }, "absent from the state, proven: zero");
    assert.deepEqual(await json(["query", "balance", funded, "uqos"]), { denom: "uqos", amount: String(initial - 12345n - 5000n) }, "on by default with a trust root");
    const all = await json(["query", "balances", fresh, "--verify"]);
    assert.deepEqual(all.balances, [{ denom: "uqos", amount: "12345" }]);
    const account = await json(["query", "account", funded, "--verify"]);
    assert.deepEqual([account.address, account.sequence], [funded, "1"]);
    const nobody = (await json(["keys", "add", "nobody"])).address;
    await fails(["query", "account", nobody, "--verify"], new RegExp(`account ${nobody} not found on the chain`));
    assert.deepEqual(await json(["query", "qcp-sequences", "biz-1", "--verify"]), { out_sequence: "0", in_sequence: "0" });
    assert.deepEqual(await json(["query", "supply", "ustar", "--verify"]), { denom: "ustar", amount: "0" });
    await fails(["query", "supply", "--verify"], /--verify: the supply of all denoms cannot be proven complete/);
    const text = await ok(["query", "balance", fresh, "uqos"]);
    assert.equal(text.stdout, "12345uqos\n");
    assert.match(text.stderr, /^light: header \d+ of qos-light-e2e-1 verified from the trust root; reading the state at height \d+ by proofs\n$/);
    const unverified = await ok(["query", "balance", fresh, "uqos", "--verify=false"]);
    assert.deepEqual([unverified.stdout, unverified.stderr], ["12345uqos\n", ""]);
    const status = await json(["light", "status", "--chain-id", node.chainId]);
    assert.ok(BigInt(status.height) > 2n, `the trust root advanced to the newest verified header (at ${status.height})`);
  });

  test("a proxy that changes the balance in abci_query answers is caught by the proof", async () => {
    // the amount is decimal ASCII both in the raw store value and inside the gRPC answer's protobuf: same length, so both stay well-formed
    const proxy = await tamperingProxy(() => node.rpcUrl, (method, _params, result) => {
      if (method !== "abci_query" || !result.response?.value) return;
      const raw = Buffer.from(result.response.value, "base64").toString("latin1");
      if (raw.includes("12345")) result.response.value = Buffer.from(raw.replace("12345", "99999"), "latin1").toString("base64");
    });
    proxies.push(proxy.server);
    await fails(["query", "balance", fresh, "uqos", "--verify"], /\nError: the node's answer for the uqos balance of qosacc1\w+ does not match its proof at height \d+ \(the value is not the one the proof commits to/, proxy.url);
    assert.ok(proxy.tampered() >= 1);
    // unverified, the lie goes through: that is what --verify is for
    assert.deepEqual(await json(["query", "balance", fresh, "uqos", "--verify=false"], proxy.url), { denom: "uqos", amount: "99999" });
  });

  test("a proxy that alters a header's app hash is caught by the header check", async () => {
    const proxy = await tamperingProxy(() => node.rpcUrl, (method, _params, result) => {
      const header = result.signed_header?.header;
      if (method !== "commit" || !header?.app_hash) return;
      header.app_hash = (header.app_hash[0] === "A" ? "B" : "A") + header.app_hash.slice(1);
    });
    proxies.push(proxy.server);
    await fails(["query", "balance", fresh, "uqos", "--verify"], /^Error: header \d+ from http:\/\/127\.0\.0\.1:\d+ is not signed by the trusted validators \(trust root: header \d+ of qos-light-e2e-1\): .*commit signs block [0-9A-F]+, header is block [0-9A-F]+/, proxy.url);
    await fails(["light", "update"], /is not signed by the trusted validators/, proxy.url);
    assert.ok(proxy.tampered() >= 2);
    // the honest node still verifies: the trust root was not moved by the forged headers
    assert.deepEqual(await json(["query", "balance", fresh, "uqos"]), { denom: "uqos", amount: "12345" });
  });
});
