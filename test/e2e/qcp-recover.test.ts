// QCP client recovery end to end (issue 12): QOS and a business chain (real qosd + CometBFT each) with a
// relayer process in substitute mode "create". QOS's client of biz is frozen by a conflicting header
// (biz's validator key signing a forged one, caught by the relayer's misbehaviour submission); the
// relayer creates a substitute client and keeps it updated; alice (made QOS's only bonded validator)
// passes a qcp_recover proposal. The trusting period is 60 s and the vote 45 s, so the substitute is
// still usable at execution only because the relayer updated it during the vote. Transfers sent while
// the client was frozen then cross exactly once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { MsgSubmitProposal, MsgVote } from "../../gen/qos/gov/v1/tx.js";
import { MsgCreateValidator } from "../../gen/qos/stake/v1/tx.js";
import { headerHash } from "../../app/light/index.js";
import { QueryProposalRequest, QueryProposalResponse } from "../../gen/qos/gov/v1/query.js";
import { ProposalStatus, VoteOption } from "../../gen/qos/gov/v1/types.js";
import { QueryClientRequest, QueryClientResponse, QuerySubstitutesRequest, QuerySubstitutesResponse } from "../../gen/qos/qcp/v1/query.js";
import { key } from "../helpers/light-chain.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry } from "../helpers/wallet.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { voucherDenom } from "../../modules/qcp/keeper.js";
import { pushForgedHeader, startQcpPair, sleep, type QcpPair, type RelayerProcess } from "../../testnet/qcp-pair.js";

registry.register(TypeUrl.qos.gov.v1.MsgSubmitProposal, MsgSubmitProposal as never);
registry.register(TypeUrl.qos.gov.v1.MsgVote, MsgVote as never);
registry.register(TypeUrl.qos.stake.v1.MsgCreateValidator, MsgCreateValidator as never);

const QOS = 1_000_000n;
const TrustingSeconds = 60;
const VotingSeconds = 45;
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: VotingSeconds,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.5",
};

const transfer = (to: string, sender: string, receiver: string, amount: string): EncodeObject =>
  ({ typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer, value: MsgTransfer.fromPartial({ sender, toChain: to, receiver, denom: "STAR", amount }) });

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, relayer: RelayerProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch {
      // a query between blocks
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${relayer.output.slice(-4000)}`);
    await sleep(200);
  }
}

describe("QCP client recovery from a substitute, end to end", { timeout: 600_000 }, () => {
  let p: QcpPair;
  let relayer: RelayerProcess;

  before(async () => {
    p = await startQcpPair({
      relayers: 1,
      qosGenesis: (g) => {
        g.app_state.gov = { ...(g.app_state.gov ?? {}), params: { normal: level, important: level, critical: level } };
        g.app_state.qcp.params = { ...(g.app_state.qcp.params ?? { max_payload_bytes: 65_536, max_execute_msgs: 16 }), client_trusting_period_seconds: TrustingSeconds };
      },
    });
    relayer = await p.relayer(0, { substitute: "create" });
    relayer.start();
  });
  after(async () => {
    await p?.destroy();
  });

  test("frozen → substitute created and kept updated by the relayer → qcp_recover passes → the waiting transfers cross exactly once", async () => {
    const { qos, biz, alice, bob } = p;
    const star = voucherDenom(biz.id, "STAR");
    const client = async () => QueryClientResponse.decode(await qos.query(Method.qos.qcp.v1.Query.Client, QueryClientRequest.encode({ chainId: biz.id }).finish()));
    const substitutes = async () => QuerySubstitutesResponse.decode(await qos.query(Method.qos.qcp.v1.Query.Substitutes, QuerySubstitutesRequest.encode({ chainId: biz.id }).finish())).substitutes;

    // alice becomes the only staked validator (QOS's node is a genesis validator outside staking), so
    // her vote decides; with 1 QOS (power 1 of 11) the node alone still signs more than 2/3
    await qos.submit(alice, [stakeMsg.createValidator(alice.address, key("qcp-recover alice validator").pubKey, String(1n * QOS), "alice")]);

    // one transfer crosses while the client is active
    await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "7")]);
    await waitFor("transfer #1 delivered", async () => (await qos.seqs(biz.id)).inSequence === 1n, 60_000, relayer);
    assert.equal(await qos.balance(bob.address, star), 7n);

    // a forged header (biz's only validator signing another app hash for a height biz reaches soon);
    // the relayer proves the conflict and the client freezes
    const forgedHeight = await pushForgedHeader(qos, biz, alice);
    const frozen = await waitFor("client frozen", async () => ((await client()).status === "frozen" ? client() : undefined), 90_000, relayer);
    assert.equal(frozen.clientState!.frozenHeight, forgedHeight);

    // two transfers wait behind the frozen client
    await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "20")]);
    await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "30")]);
    await sleep(3000);
    assert.equal((await qos.seqs(biz.id)).inSequence, 1n);

    // the relayer creates a substitute of biz's own headers
    const [created] = await waitFor("a substitute", async () => ((await substitutes()).length > 0 ? substitutes() : undefined), 60_000, relayer);
    assert.equal(created.substitute!.client!.chainId, biz.id);
    assert.equal(created.status, "active");
    const createdAt = created.substitute!.client!.latestHeight;
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    assert.equal(hex(created.latestConsensusState!.headerHash), hex(headerHash((await biz.lightBlock(Number(createdAt))).signedHeader.header)), "biz's own header");

    // what an operator reads before voting: qoscli shows the substitute and its header, biz's own
    const qoscli = spawnSync(process.execPath, [join(repoRoot, "dist/cmd/qoscli/main.js"), "query", "qcp", "substitutes", biz.id, "--node", qos.node.rpcUrl, "--output", "json"], { encoding: "utf8" });
    assert.equal(qoscli.status, 0, qoscli.stderr);
    const shown = (JSON.parse(qoscli.stdout) as { substitutes: Array<{ id: string; chain_id: string; latest_height: string; frozen_height: string; latest_consensus_state: { header_hash: string } }> }).substitutes;
    assert.deepEqual(shown.map((s) => [s.id, s.chain_id, s.latest_height, s.frozen_height]), [[created.substitute!.id.toString(), biz.id, createdAt.toString(), "0"]]);
    assert.equal(shown[0].latest_consensus_state.header_hash, hex(created.latestConsensusState!.headerHash).toUpperCase());

    // the proposal; the vote outlasts the substitute's first trusting period (60 s from its header)
    const submitted = await qos.submit(alice, [{
      typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
      value: MsgSubmitProposal.fromPartial({ proposer: alice.address, content: { title: "recover biz", description: "frozen by a forged header", qcpRecover: { chainId: biz.id, substituteId: created.substitute!.id } }, initialDeposit: String(10n * QOS) }),
    }]);
    const attr = (submitted.events as Array<{ type: string; attributes: Array<{ key: string; value: string }> }>)
      .find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!;
    const proposalId = BigInt(attr.value);
    await qos.submit(alice, [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: MsgVote.fromPartial({ voter: alice.address, proposalId, option: VoteOption.VOTE_OPTION_YES }) }]);
    const proposal = async () => QueryProposalResponse.decode(await qos.query(Method.qos.gov.v1.Query.Proposal, QueryProposalRequest.encode({ proposalId }).finish())).proposal!;
    const decided = await waitFor("the proposal decided", async () => ((await proposal()).status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD ? proposal() : undefined), 120_000, relayer);
    assert.equal(decided.status, ProposalStatus.PROPOSAL_STATUS_PASSED, decided.result);
    assert.match(relayer.output, new RegExp(`substitute client ${created.substitute!.id} of ${biz.id} at ${qos.id} updated ${createdAt} -> `), "kept updated during the vote");
    const recovered = await client();
    assert.equal(recovered.clientState!.frozenHeight, 0n);
    assert.ok(recovered.clientState!.latestHeight > createdAt, "the substitute moved on after its creation");
    assert.deepEqual(await substitutes(), []);

    // the waiting transfers cross, exactly once
    await waitFor("transfers #2 and #3 delivered", async () => (await qos.seqs(biz.id)).inSequence === 3n, 90_000, relayer);
    await sleep(3000);
    assert.equal((await qos.seqs(biz.id)).inSequence, 3n);
    assert.equal(await qos.balance(bob.address, star), 57n);
    console.log(`qcp-recover e2e: frozen at ${forgedHeight}, substitute ${created.substitute!.id} created at ${createdAt}, client recovered at ${recovered.clientState!.latestHeight}`);
  });
});
