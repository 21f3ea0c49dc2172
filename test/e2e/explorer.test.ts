// The block explorer in a real browser (headless Chromium from the system's packages, driven by
// playwright-core) against the QOS chain of a two-chain QCP testnet with real traffic: a send with a
// hostile memo, a delegation and an unbonding, an allowance, a proposal with a vote, a QSC whose symbol and
// description are markup, and a QSC transfer in from the business chain by the relayer. Every page must
// show the values the node's REST gateway gives at that moment, exactly, with no console error; the hostile
// strings must render as text (no element, no script run). Screenshots go to test-results/explorer/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash, generateKeyPairSync } from "node:crypto";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { startExplorerServer } from "../../cmd/qosd/explorer.js";
import { freePort } from "../../cmd/common/processes.js";
import { TypeUrl } from "../../gen/names.js";
import { MsgSubmitProposal, MsgVote } from "../../gen/qos/gov/v1/tx.js";
import { MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { voucherDenom } from "../../modules/qcp/keeper.js";
import { startQcpPair, sleep, type QcpPair, type RelayerProcess } from "../../testnet/qcp-pair.js";
import { msg as qscMsg, qscCertificate } from "../helpers/qsc.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

for (const [url, type] of [[TypeUrl.qos.gov.v1.MsgSubmitProposal, MsgSubmitProposal], [TypeUrl.qos.gov.v1.MsgVote, MsgVote]] as const) {
  try {
    registry.register(url, type as never);
  } catch {
    // registered by another file of this process
  }
}

/** Debian's chromium (`.ci/run` installs it); QOS_CHROMIUM names another build. */
export const chromiumPath = process.env.QOS_CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const shots = join(repoRoot, "test-results/explorer");
const HostileMemo = `<img src=x onerror="window.__xss='memo'"><script>window.__xss='memo2'</script>`;
const HostileSymbol = `<b id=x>SYM</b>`;
const HostileDescription = `<img src=x onerror="window.__xss='qsc'">`;

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
/** the explorer's QOS format: uqos / 10^6, up to 6 decimals, digits grouped */
const qos = (uqos: bigint | string) => {
  const a = BigInt(uqos);
  const frac = (a % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${group((a / 1_000_000n).toString())}${frac ? "." + frac : ""} QOS`;
};

describe("block explorer in headless Chromium", { skip: chromiumPath ? false : "no chromium: apt-get install chromium (.ci/run does)" }, () => {
  let p: QcpPair;
  let relayer: RelayerProcess;
  let browser: Browser;
  let page: Page;
  let base: string;
  let rest: string;
  let carol: TestAccount;
  let operator: string;
  let moniker: string;
  let sendHash: string;
  let sendHeight: number;
  const problems: string[] = [];
  const get = async (path: string, height?: string) => {
    const res = await fetch(rest + path, { headers: height ? { "x-cosmos-block-height": height } : {} });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return res.json() as Promise<any>;
  };

  /** Opens a route and waits until the page has rendered it (body[data-state] leaves "loading"). */
  async function open(route: string, shot: string, state = "ready"): Promise<void> {
    await page.goto(`${base}/${route}`);
    await page.waitForFunction((r) => document.body.dataset.state !== "loading" && document.body.dataset.route === (r || "#/"), route, { timeout: 30_000 });
    await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
    assert.equal(await page.evaluate(() => document.body.dataset.state), state, `${route}: ${await page.locator("main").innerText()}`);
  }
  const field = (key: string) => page.locator(`main [data-k="${key}"]`).first().innerText();
  const rows = (testid: string) => page.locator(`[data-testid="${testid}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => (td as HTMLElement).innerText)));

  before(async () => {
    mkdirSync(shots, { recursive: true });
    p = await startQcpPair({ qosChainId: "qos-explorer", bizChainId: "biz-explorer" });
    relayer = await p.relayer(0);
    relayer.start();
    carol = await testAccount("explorer-carol");
    const { qos: chain, alice, bob, banker, ca } = p;
    rest = chain.node.restUrl;
    base = chain.node.explorerUrl;
    // bob's validator, with a key no node runs: the testnet's node is a genesis validator outside staking
    // (power 10), so the staked power stays at most 3 and the node alone keeps signing more than 2/3
    const consensusKey = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    moniker = "explorer <b>validator</b>";
    await chain.submit(bob, [stakeMsg.createValidator(bob.address, consensusKey, "1000000", moniker)]);
    const { validators } = await get("/qos/stake/v1/validators");
    assert.equal(validators.length, 1);
    operator = validators[0].operator_address;

    // a send with a hostile memo
    const acc = await chain.account(alice.address);
    const tx = await signTx(alice, [qscMsg.send(alice.address, carol.address, "1234567", "uqos")], {
      chainId: chain.id, accountNumber: acc.accountNumber, sequence: acc.sequence, memo: HostileMemo,
      fee: { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" },
    });
    const sync = await chain.node.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(sync.code, 0, sync.log);
    sendHash = createHash("sha256").update(tx).digest("hex").toUpperCase();
    sendHeight = (await chain.waitTx(sendHash)).height;
    // Chain.submit keeps its own count of alice's sequence: this tx went around it
    (chain as unknown as { sequences: Map<string, bigint> }).sequences.delete(alice.address);
    // staking, an allowance, a proposal and a vote
    await chain.submit(alice, [stakeMsg.delegate(alice.address, operator, "2000000")]);
    await chain.submit(alice, [stakeMsg.unbond(alice.address, operator, "1000000")]);
    await chain.submit(alice, [qscMsg.approveCreate(alice.address, carol.address, "777", "uqos")]);
    await chain.submit(alice, [{ typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal, value: MsgSubmitProposal.fromPartial({ proposer: alice.address, content: { title: "Explorer <i>test</i>", description: "a text proposal", text: {} }, initialDeposit: "10000000" }) }]);
    await chain.submit(alice, [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: MsgVote.fromPartial({ proposalId: 1n, voter: alice.address, option: 1 }) }]);
    // a QSC on QOS whose symbol and description are markup
    const now = BigInt(Math.floor(Date.now() / 1000));
    const certificate = qscCertificate(ca, { chainId: chain.id, name: "MOON", bankerPublicKey: banker.pubkey, notBefore: now - 600n, notAfter: now + 86_400n });
    await chain.submit(banker, [qscMsg.create({ creator: banker.address, certificate, name: "MOON", banker: banker.address, symbol: HostileSymbol, description: HostileDescription, initialHolders: [{ address: carol.address, amount: "4242" }] })]);
    // a QSC transfer from the business chain to QOS, carried by the relayer
    await p.biz.submit(alice, [{ typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer, value: MsgTransfer.fromPartial({ sender: alice.address, toChain: chain.id, receiver: bob.address, denom: "STAR", amount: "1000" }) }]);
    const star = voucherDenom(p.biz.id, "STAR");
    for (let i = 0; (await chain.balance(bob.address, star)) !== 1000n; i++) {
      if (i > 600) throw new Error(`STAR did not arrive on QOS:\n${relayer.output.slice(-2000)}`);
      await sleep(100);
    }

    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
  });
  after(async () => {
    await browser?.close();
    await p?.destroy();
  });

  test("home: the figures of one committed state, exactly; latest blocks; it follows new blocks live", async () => {
    await open("", "home");
    // one snapshot of the page: it re-renders on every block
    const snap = await page.evaluate(() => ({
      fields: Object.fromEntries(Array.from(document.querySelectorAll("main [data-k]"), (e) => [(e as HTMLElement).dataset.k!, (e as HTMLElement).innerText])),
      latest: Array.from(document.querySelectorAll('[data-testid="latest-blocks"] tbody tr'), (tr) => Array.from(tr.querySelectorAll("td"), (td) => (td as HTMLElement).innerText)),
    }));
    const home = (k: string) => snap.fields[k];
    const height = home("height");
    assert.match(height, /^\d+$/);
    const [supply, applied, phases, validators] = await Promise.all([
      get("/cosmos/bank/v1beta1/supply/by_denom?denom=uqos", height), get("/qos/mint/v1/applied", height), get("/qos/mint/v1/phases", height), get("/qos/stake/v1/validators", height),
    ]);
    const bonded = BigInt(validators.validators[0].validator.tokens);
    const total = BigInt(supply.amount.amount);
    const bp = (bonded * 10000n) / total;
    assert.equal(home("supply"), qos(total));
    assert.equal(home("mint-per-block"), qos(applied.last_mint));
    assert.equal(home("active-validators"), "1");
    assert.equal(home("bonded"), `${qos(bonded)} (${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%)`);
    assert.equal(home("phase"), `1 of 7, ends ${new Date(Number(phases.phases[0].end_time) * 1000).toISOString().replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d).*$/, "$1 $2 UTC")}`);
    const block = await p.qos.node.rpc<any>("block", { height });
    assert.equal(home("block-time"), block.block.header.time.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d).*$/, "$1 $2 UTC"));
    const latest = snap.latest;
    assert.equal(latest.length, 10);
    const proposer: string = block.block.header.proposer_address;
    assert.deepEqual(latest[0], [height, block.block.header.time.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d).*$/, "$1 $2 UTC"), String(block.block.data.txs.length), `${proposer.slice(0, 8)}…${proposer.slice(-8)}`]);
    assert.match(home("tps"), /^\d+\.\d\d$/);
    // live: the WebSocket feed re-renders the page at a later height without navigation
    await page.waitForFunction((h) => Number(document.querySelector('main [data-k="height"]')?.textContent) > Number(h), height, { timeout: 30_000 });
    assert.match(await page.locator("#live").innerText(), /^live · height \d+$/);
  });

  test("tx: the send's message, fee, gas, code, events; the hostile memo is text, no element, no script ran", async () => {
    await open(`#/tx/${sendHash}`, "tx-send");
    const { tx_response: r } = await get(`/cosmos/tx/v1beta1/txs/${sendHash}`);
    assert.equal(await field("hash"), sendHash);
    assert.equal(await field("height"), String(sendHeight));
    assert.equal(await field("code"), "- 0");
    assert.equal(await field("result"), "ok");
    assert.equal(await field("gas"), `${group(r.gas_used)} / 200,000`);
    assert.equal(await field("fee"), "0.005 QOS");
    assert.equal(await field("memo"), HostileMemo);
    assert.equal(await page.locator("main img, main script, main b#x").count(), 0);
    assert.equal(await page.evaluate(() => (window as any).__xss), undefined);
    assert.deepEqual(await page.locator('[data-testid="messages"] [data-k="type"]').allInnerTexts(), ["/cosmos.bank.v1beta1.MsgSend"]);
    assert.match(await page.locator('[data-testid="messages"]').innerText(), new RegExp(`to_address\\s+${carol.address}\\s+amount\\s+1\\.234567 QOS`));
    const events = await rows("tx-events");
    assert.equal(events.length, r.events.length);
    assert.deepEqual(events.map((e) => e[0]), r.events.map((e: any) => e.type));
  });

  test("block: header, proposer, the tx with its hash and gas, block events", async () => {
    await open(`#/block/${sendHeight}`, "block");
    const block = await p.qos.node.rpc<any>("block", { height: String(sendHeight) });
    const results = await p.qos.node.rpc<any>("block_results", { height: String(sendHeight) });
    assert.equal(await field("height"), String(sendHeight));
    assert.equal(await field("hash"), block.block_id.hash);
    const proposer: string = block.block.header.proposer_address; // the genesis validator, outside staking
    assert.equal(await field("proposer"), `${proposer.slice(0, 8)}…${proposer.slice(-8)}`);
    assert.equal(await field("num-txs"), String(block.block.data.txs.length));
    const txs = await rows("block-txs");
    const i = block.block.data.txs.findIndex((t: string) => createHash("sha256").update(Buffer.from(t, "base64")).digest("hex").toUpperCase() === sendHash);
    assert.deepEqual(txs[i], [sendHash, "ok", results.txs_results[i].gas_used]);
    assert.equal((await rows("block-events")).length, results.finalize_block_events.length);
  });

  test("account: QOS and QSC balances (the QCP voucher too), delegation, unbonding, pending rewards, allowance, txs", async () => {
    const { alice, bob } = p;
    await open(`#/account/${bob.address}`, "account-bob");
    const bobAcc = await get(`/qos/bank/v1/accounts/${bob.address}`);
    assert.deepEqual(await rows("balances"), bobAcc.balances.map((c: any) => [c.denom, c.denom === "uqos" ? qos(c.amount) : `${group(c.amount)} ${c.denom}`]));
    assert.ok((await rows("balances")).some((r) => r[0] === voucherDenom(p.biz.id, "STAR") && r[1] === `1,000 ${voucherDenom(p.biz.id, "STAR")}`));

    await open(`#/account/${alice.address}`, "account-alice");
    const delegations = await rows("delegations");
    assert.equal(delegations.length, 1);
    assert.deepEqual([delegations[0][0], delegations[0][1], delegations[0][3]], [operator, "1 QOS", "no"]);
    assert.match(delegations[0][2], /^\d[\d,]*(\.\d{1,6})? QOS$/); // grows every block
    const { unbondings } = await get(`/qos/stake/v1/delegators/${alice.address}/unbondings`);
    assert.deepEqual(await rows("unbondings"), [[operator, "1 QOS", unbondings[0].creation_height, new Date(Number(unbondings[0].completion_time) * 1000).toISOString().replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d).*$/, "$1 $2 UTC")]]);
    assert.deepEqual(await rows("allowances"), [[carol.address, "0.000777 QOS"]]);
    const txs = await rows("account-txs");
    assert.ok(txs.some((r) => r[0] === `${sendHash.slice(0, 8)}…${sendHash.slice(-8)}` && r[1] === String(sendHeight) && r[2] === "MsgSend" && r[3] === "ok"), JSON.stringify(txs));
    assert.deepEqual(txs.map((r) => r[2]).filter((m) => m !== "MsgTransfer").slice(0, 5), ["MsgVote", "MsgSubmitProposal", "MsgCreateApprove", "MsgUnbond", "MsgDelegate"]);
  });

  test("validators and a validator's page with its delegators", async () => {
    await open("#/validators", "validators");
    const v = (await get("/qos/stake/v1/validators")).validators.find((x: any) => x.operator_address === operator);
    const self = await get(`/qos/stake/v1/validators/${operator}/delegations/${v.validator.owner}`);
    const list = await rows("validators");
    assert.equal(list.length, 1);
    assert.deepEqual(list[0].slice(0, 5), [moniker, "active", group(v.power), "10.00%", qos(self.delegation.amount)]);
    const keep = await get(`/qos/stake/v1/validators/${operator}/keep_alive`);
    assert.match(list[0][5], /^\d+ signed \/ \d+ missed$/); // a window that moves every block
    assert.ok(BigInt(list[0][5].split(" ")[0]) + BigInt(list[0][5].split(" ")[3]) <= BigInt(keep.keep_alive.blocks_counted));
    await open(`#/validator/${operator}`, "validator");
    assert.equal(await field("moniker"), moniker);
    assert.equal(await field("operator"), operator);
    assert.equal(await field("status"), "active");
    assert.equal(await field("tokens"), qos(v.validator.tokens));
    const { delegations } = await get(`/qos/stake/v1/validators/${operator}/delegations`);
    assert.deepEqual(await rows("delegators"), delegations.map((d: any) => [d.delegator, qos(d.amount), "no"]));
    assert.ok(delegations.some((d: any) => d.delegator === p.alice.address && d.amount === "1000000"));
  });

  test("governance: the proposal (title as text), its deposit, the vote and the live tally", async () => {
    await open("#/gov", "gov");
    const { proposal } = await get("/qos/gov/v1/proposals/1");
    assert.deepEqual((await rows("proposals"))[0].slice(0, 5), ["1", "Explorer <i>test</i>", "normal", "voting period", "10 QOS"]);
    await open("#/proposal/1", "proposal");
    assert.equal(await page.locator("main i").count(), 0);
    assert.equal(await field("title"), "Explorer <i>test</i>");
    assert.equal(await field("status"), "voting period");
    assert.equal(await field("total-deposit"), qos(proposal.total_deposit));
    const { tally } = await get("/qos/gov/v1/proposals/1/tally");
    const total = BigInt(tally.total_power);
    const share = (x: string) => { const bp = (BigInt(x) * 10000n) / total; return `${qos(x)} (${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%)`; };
    assert.equal(tally.yes, "1000000");
    assert.equal(await field("tally-yes"), share(tally.yes));
    assert.equal(await field("tally-no"), share("0"));
    assert.equal(await field("tally-total"), qos(tally.total_power));
    assert.deepEqual(await rows("votes"), [[p.alice.address, "yes", ""]]);
    assert.deepEqual(await rows("deposits"), [[p.alice.address, "10 QOS"]]);
  });

  test("QSC tokens: the token with supply and banker; its markup symbol and description render as text", async () => {
    await open("#/tokens", "tokens");
    assert.deepEqual(await rows("tokens"), [["MOON", "4,242 MOON", p.banker.address, "no"]]);
    await open("#/token/MOON", "token");
    assert.equal(await field("supply"), "4,242 MOON");
    assert.equal(await field("frozen"), "0 MOON");
    // the banker freezes part of carol's MOON: the frozen total is the qsc_frozen account's balance of it
    await p.qos.submit(p.banker, [qscMsg.freeze(p.banker.address, "MOON", carol.address, "1042")]);
    await open("#/tokens", "tokens");
    await open("#/token/MOON", "token-frozen");
    assert.deepEqual([await field("supply"), await field("frozen")], ["4,242 MOON", "1,042 MOON"]);
    assert.equal(await field("symbol"), HostileSymbol);
    assert.equal(await field("description"), HostileDescription);
    assert.equal(await page.locator("main img, main b").count(), 0);
    assert.equal(await page.evaluate(() => (window as any).__xss), undefined);
  });

  test("QCP: the route to the business chain with its sequences, relayers and client; the route's page", async () => {
    await open("#/qcp", "qcp");
    const { chains } = await get("/qos/qcp/v1/chains");
    const client = await get(`/qos/qcp/v1/clients/${p.biz.id}`);
    assert.equal(chains.length, 1);
    assert.equal(chains[0].in_sequence, "1"); // the STAR transfer
    const list = await rows("qcp-chains");
    assert.deepEqual(list, [[p.biz.id, chains[0].out_sequence, "1", String(chains[0].info.relayers.length), `active, latest height ${client.client_state.latest_height}`]].map((r) => r));
    await open(`#/qcp/${p.biz.id}`, "qcp-route");
    assert.equal(await field("chain"), p.biz.id);
    assert.equal(await field("in-sequence"), "1");
    assert.equal(await field("out-sequence"), chains[0].out_sequence);
    // QOS's only entry toward the business chain is its result for the STAR transfer: a result gets no
    // result back, so nothing is pending (it was shown as pending for ever when the page counted 404s)
    assert.equal(chains[0].out_sequence, "1");
    const outbox = await get(`/qos/qcp/v1/chains/${p.biz.id}/outbox_status`);
    assert.deepEqual(outbox.entries.map((e: any) => [e.sequence, e.pending, e.is_result]), [["1", false, true]]);
    assert.equal(await field("pending"), "0");
    assert.deepEqual(await rows("qcp-out"), [["1", "a result we sent"]]);
  });

  test("search box: a height, a tx hash, an address, a validator, a token; nonsense is a not-found page", async () => {
    const search = async (term: string, route: string, state = "ready") => {
      await page.goto(`${base}/#/`);
      await page.waitForFunction(() => document.body.dataset.state === "ready");
      await page.fill("#search input", term);
      await page.click("#search button");
      await page.waitForFunction((r) => document.body.dataset.route === r && document.body.dataset.state !== "loading", route, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.state), state, term);
    };
    await search(String(sendHeight), `#/block/${sendHeight}`);
    await search(sendHash.toLowerCase(), `#/tx/${sendHash}`);
    await search(p.bob.address, `#/account/${p.bob.address}`);
    await search(operator, `#/validator/${operator}`);
    await search("MOON", "#/token/MOON");
    const mark = problems.length;
    await search("no-such-thing", "#/search/no-such-thing", "not-found");
    // the token lookup's 404 is how the page learns there is no such token: the browser logs it, expected
    problems.splice(mark, problems.length - mark, ...problems.slice(mark).filter((x) => !/the server responded with a status of 404/.test(x)));
    await page.screenshot({ path: join(shots, "search-not-found.png"), fullPage: true });
    await open("#/block/99999999", "block-not-found", "not-found");
    await open("#/nowhere", "route-not-found", "not-found");
  });

  test("node down: an explorer whose node does not answer says so", async () => {
    const dead = await freePort();
    const down = await startExplorerServer({ address: "127.0.0.1:0", restUrl: `http://127.0.0.1:${dead}`, rpcUrl: `http://127.0.0.1:${dead}` });
    const mark = problems.length;
    try {
      const saved = base;
      base = `http://${down.address}`;
      await open("", "node-down", "node-down");
      base = saved;
      assert.match(await page.locator('[data-testid="node-down"]').innerText(), /^The node does not answer: node unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      // the failed requests of this page are what it reports; the browser logs them, expected here only
      problems.splice(mark, problems.length - mark, ...problems.slice(mark).filter((x) => !/status of 502 \(Bad Gateway\)|WebSocket connection/.test(x)));
    } finally {
      await down.close();
    }
  });

  test("no console errors or warnings on any page", () => {
    assert.deepEqual(problems, []);
  });
});
