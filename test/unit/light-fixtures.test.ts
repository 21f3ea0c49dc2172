// The recorded light-client fixtures (test/fixtures/light/, made by `npm run record:light` from real
// CometBFT networks) are internally consistent and say what their README says, checked WITHOUT the
// light-client library: heights consecutive, commits of their own headers, headers chained by block id,
// next_validators_hash(H) = validators_hash(H + 1), the validator set changing exactly at the heights
// the README names with the powers it names, and the trust-level arithmetic that makes a skip from
// height 1 to the last height fail (so bisection is needed). A test that verifies signatures with the
// library can then rely on these facts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";

const dir = join(repoRoot, "test/fixtures/light");

interface Validator { address: string; pub_key: { type: string; value: string }; voting_power: string; proposer_priority: string }
interface Signature { block_id_flag: number; validator_address: string; timestamp: string; signature: string | null }
interface Height {
  height: string;
  commit: {
    canonical: boolean;
    signed_header: {
      header: { chain_id: string; height: string; time: string; last_block_id: { hash: string }; validators_hash: string; next_validators_hash: string; app_hash: string };
      commit: { height: string; round: number; block_id: { hash: string }; signatures: Signature[] };
    };
  };
  validators: { block_height: string; validators: Validator[]; count: string; total: string };
}
interface Fixture {
  chain_id: string;
  genesis_time: string;
  network: {
    nodes: Array<{ name: string; address: string; pub_key: string }>;
    txs: Array<{ height: number; event: string }>;
    validator_sets: Array<{ height: number; powers: Record<string, number> }>;
  };
  heights: Height[];
}

const load = (name: string): Fixture => JSON.parse(readFileSync(join(dir, name), "utf8"));
const main = load("qos-light-1.json");
const other = load("qos-light-other-1.json");
const absent = load("qos-light-absent-1.json");
const forkA = load("qos-light-fork-a.json");
const forkB = load("qos-light-fork-b.json");
const at = (f: Fixture, h: number) => {
  const found = f.heights.find((x) => Number(x.height) === h);
  assert.ok(found, `${f.chain_id}: height ${h} recorded`);
  return found;
};
const header = (f: Fixture, h: number) => at(f, h).commit.signed_header.header;

// node names by the consensus addresses of the recording (README "The network")
const Node0 = "6B44DCFAD7C5687B9E3FF7F2DE7F33B37E826CBD";
const Node1 = "808D7DFC7C6342191132C57D87C91FEC25F9E5CC";
const Node2 = "58621C23C1F8A224FE1A4D504C499D7C07E87E07";
const Node3 = "376068DDE76E34550663F74725206D4B865A6FD4";
const Node4 = "2EDA994CB9309315A6E607386E46209CEA5E9969";

/** the sets of qos-light-1 as the README gives them: first height, validators hash, address → power */
const Sets: Array<{ from: number; hash: string; powers: Record<string, number> }> = [
  { from: 1, hash: "F795C03D21C05C10FEBA86482CC0FEE81FA648AFE76035D93A5FD64B706F004A", powers: { [Node0]: 10, [Node1]: 10, [Node2]: 10, [Node3]: 10 } },
  { from: 7, hash: "A7173F510DB9CDD6AA09FD09C478A6E5AF7496691BE0642040C4A109F6EFFA6C", powers: { [Node0]: 10, [Node1]: 10, [Node2]: 10, [Node3]: 10, [Node4]: 50 } },
  { from: 11, hash: "A1E8BC47740B3458164C45216A1BE20DFB3FF0EC3A19C08AB7D9B3307F8D49B0", powers: { [Node0]: 10, [Node2]: 10, [Node3]: 10, [Node4]: 50 } },
  { from: 15, hash: "28A473C3B5F1CF4C427A039CEAA2C1BE348FBB3BCACAF683858C8AF28FC2FE84", powers: { [Node0]: 40, [Node2]: 10, [Node3]: 10, [Node4]: 50 } },
  { from: 19, hash: "3C423FC81DA258FAE2565A100D3F73744D5089654870B9CC2D5810EB5DF6921A", powers: { [Node0]: 40, [Node3]: 10, [Node4]: 50 } },
  { from: 23, hash: "85873C3948F993D07F59B686FFFF07F8E334FAD7DADB6FEFC853B34E345A5B58", powers: { [Node0]: 40, [Node4]: 50 } },
];
const First = 1;
const Last = 29;
const setOf = (h: number) => Sets.filter((s) => s.from <= h).at(-1)!;

/** power of `trusted` (address → power) among the validators that signed the commit of height h */
function signedPower(f: Fixture, h: number, trusted: Record<string, number>): bigint {
  let sum = 0n;
  for (const s of at(f, h).commit.signed_header.commit.signatures) if (s.block_id_flag === 2) sum += BigInt(trusted[s.validator_address] ?? 0);
  return sum;
}
const total = (powers: Record<string, number>) => Object.values(powers).reduce((a, b) => a + BigInt(b), 0n);

test("light fixtures: small files, one chain id each, heights consecutive from 1", () => {
  for (const [f, name, last] of [[main, "qos-light-1.json", Last], [other, "qos-light-other-1.json", 6], [absent, "qos-light-absent-1.json", 23],
    [forkA, "qos-light-fork-a.json", 8], [forkB, "qos-light-fork-b.json", 8]] as const) {
    assert.ok(statSync(join(dir, name)).size < 300_000, `${name} stays small`);
    assert.deepEqual(f.heights.map((h) => Number(h.height)), Array.from({ length: last }, (_, i) => i + 1));
    for (const h of f.heights) assert.equal(h.commit.signed_header.header.chain_id, f.chain_id);
    // CometBFT's first block carries the genesis time
    assert.equal(header(f, 1).time, f.genesis_time);
  }
  assert.equal(main.chain_id, "qos-light-1");
  assert.equal(other.chain_id, "qos-light-other-1");
  assert.equal(absent.chain_id, "qos-light-absent-1");
});

test("light fixtures: every commit is the canonical commit of its own header, and headers chain by block id", () => {
  for (const f of [main, other, absent, forkA, forkB]) {
    for (const h of f.heights) {
      const { header: hd, commit } = h.commit.signed_header;
      assert.equal(h.commit.canonical, true);
      assert.equal(commit.height, hd.height);
      assert.equal(h.validators.block_height, h.height);
      assert.equal(Number(h.validators.total), h.validators.validators.length, "one page holds the whole set");
      assert.match(commit.block_id.hash, /^[0-9A-F]{64}$/);
      const next = f.heights.find((x) => Number(x.height) === Number(h.height) + 1);
      if (next) {
        assert.equal(next.commit.signed_header.header.last_block_id.hash, commit.block_id.hash, `header ${next.height} points at block ${h.height}`);
        assert.equal(hd.next_validators_hash, next.commit.signed_header.header.validators_hash, `next_validators_hash of ${h.height}`);
        assert.ok(Date.parse(next.commit.signed_header.header.time) > Date.parse(hd.time), `time grows at ${next.height}`);
      }
      // a commit's signatures follow its height's validator set, one per validator: a vote for the
      // block (flag 2) or for nil (3) names its validator and is signed; an absent one (1) is empty
      assert.equal(commit.signatures.length, h.validators.validators.length);
      commit.signatures.forEach((s, i) => {
        if (s.block_id_flag === 1) assert.deepEqual([s.validator_address, s.signature, s.timestamp], ["", null, "0001-01-01T00:00:00Z"]);
        else {
          assert.ok(s.block_id_flag === 2 || s.block_id_flag === 3, `flag ${s.block_id_flag}`);
          assert.equal(s.validator_address, h.validators.validators[i].address);
          assert.equal(Buffer.from(s.signature!, "base64").length, 64);
        }
      });
      // only qos-light-absent-1 has absent or nil votes
      if (f !== absent) assert.ok(commit.signatures.every((s) => s.block_id_flag === 2));
    }
  }
});

test("light fixtures: qos-light-1's validator set changes exactly at the README's heights, with its powers", () => {
  const changes: number[] = [];
  for (let h = First + 1; h <= Last; h++) if (header(main, h).validators_hash !== header(main, h - 1).validators_hash) changes.push(h);
  assert.deepEqual(changes, [7, 11, 15, 19, 23]);
  for (let h = First; h <= Last; h++) {
    const set = setOf(h);
    assert.equal(header(main, h).validators_hash, set.hash, `validators_hash of ${h}`);
    const powers = Object.fromEntries(at(main, h).validators.validators.map((v) => [v.address, Number(v.voting_power)]));
    assert.deepEqual(powers, set.powers, `validators of ${h}`);
  }
  // each set change is the tx two blocks earlier (updates of block H are CometBFT's set from H + 2)
  assert.deepEqual(main.network.txs.map((t) => t.height + 2), [7, 11, 15, 19, 23]);
  // the summary in the file matches the records (names → addresses from its node list)
  const addressOf = Object.fromEntries(main.network.nodes.map((n) => [n.name, n.address]));
  assert.deepEqual(main.network.nodes.map((n) => n.address), [Node0, Node1, Node2, Node3, Node4]);
  assert.deepEqual(
    main.network.validator_sets.map((s) => ({ from: s.height, powers: Object.fromEntries(Object.entries(s.powers).map(([n, p]) => [addressOf[n], p])) })),
    Sets.map((s) => ({ from: s.from, powers: s.powers })),
  );
  // the pub keys of the /validators results are the nodes' consensus keys
  for (const h of main.heights) {
    for (const v of h.validators.validators) assert.equal(v.pub_key.value, main.network.nodes.find((n) => n.address === v.address)!.pub_key);
  }
});

test("light fixtures: a skip from height 1 to 29 fails the 1/3 trust level; through height 7 it passes", () => {
  const genesisSet = setOf(1).powers;
  // only node0 (10 of 40) of the genesis set signs 29: not more than 1/3
  assert.equal(signedPower(main, 29, genesisSet), 10n);
  assert.equal(total(genesisSet), 40n);
  assert.ok(signedPower(main, 29, genesisSet) * 3n <= total(genesisSet));
  // the last skip that still passes from height 1 is to 22 (node0 and node3 sign: 20 of 40)
  assert.equal(signedPower(main, 22, genesisSet), 20n);
  assert.equal(signedPower(main, 23, genesisSet), 10n);
  // 1 → 7: the whole genesis set signs 7 (40 of 40); 7 → 29: node0 and node4 sign, 60 of 90 > 1/3
  assert.equal(signedPower(main, 7, genesisSet), 40n);
  assert.equal(signedPower(main, 29, setOf(7).powers), 60n);
  assert.equal(total(setOf(7).powers), 90n);
  // and every header is signed by all of its own set (more than 2/3)
  for (let h = First; h <= Last; h++) assert.equal(signedPower(main, h, setOf(h).powers), total(setOf(h).powers));
});

test("light fixtures: the second chain has the genesis set of the first but another chain id", () => {
  for (const h of other.heights) {
    const hd = h.commit.signed_header.header;
    assert.equal(hd.validators_hash, Sets[0].hash);
    assert.equal(hd.next_validators_hash, Sets[0].hash);
    assert.deepEqual(
      Object.fromEntries(h.validators.validators.map((v) => [v.address, Number(v.voting_power)])),
      Sets[0].powers,
    );
    assert.deepEqual(
      h.validators.validators.map((v) => v.pub_key.value).sort(),
      main.heights[0].validators.validators.map((v) => v.pub_key.value).sort(),
    );
  }
  // other@2 would be an adjacent successor of qos-light-1@1 in everything but the chain id
  assert.equal(header(main, 1).next_validators_hash, header(other, 2).validators_hash);
  assert.ok(Date.parse(header(other, 2).time) > Date.parse(header(main, 1).time));
  assert.notEqual(header(other, 2).chain_id, header(main, 1).chain_id);
});

test("light fixtures: qos-light-absent-1 has node3 absent at heights 4..16, a nil vote at 17 and rounds 1 at 6, 10, 14", () => {
  const Node3Absent = "BCA2C54BB37F898789A7D697AEC3C71CA203AD9D";
  const hash = "E8036B0BA7CEE854F058434830F8C6B56B45DAF4AD9F720FD36C00099F291F33";
  const flags: Record<number, number> = {};
  const rounds: number[] = [];
  for (const h of absent.heights) {
    const height = Number(h.height);
    const { header: hd, commit } = h.commit.signed_header;
    assert.equal(hd.validators_hash, hash, "one fixed set");
    assert.deepEqual(h.validators.validators.map((v) => v.voting_power), ["10", "10", "10", "10"]);
    // node3 is the set's second validator (address order at equal power)
    assert.equal(h.validators.validators[1].address, Node3Absent);
    flags[height] = commit.signatures[1].block_id_flag;
    // the other three vote for the block at every height
    assert.deepEqual([0, 2, 3].map((i) => commit.signatures[i].block_id_flag), [2, 2, 2]);
    if (commit.round !== 0) rounds.push(height, commit.round);
  }
  const expected: Record<number, number> = {};
  for (let h = 1; h <= 23; h++) expected[h] = h >= 4 && h <= 16 ? 1 : h === 17 ? 3 : 2;
  assert.deepEqual(flags, expected);
  // node3 would have proposed these heights in round 0
  assert.deepEqual(rounds, [6, 1, 10, 1, 14, 1]);
  // while node3 is absent, 30 of 40 signed: more than 2/3, and a nil vote does not count for the block
  const powers = Object.fromEntries(absent.heights[0].validators.validators.map((v) => [v.address, Number(v.voting_power)]));
  assert.equal(signedPower(absent, 10, powers), 30n);
  assert.equal(signedPower(absent, 17, powers), 30n);
  assert.equal(signedPower(absent, 18, powers), 40n);
  assert.deepEqual(absent.network.txs.map((t) => t.height), [5, 13]);
});

test("light fixtures: qos-light-fork-a and -b are one chain forked after height 1, both signed by the same set", () => {
  const blockHash = (f: Fixture, h: number) => at(f, h).commit.signed_header.commit.block_id.hash;
  assert.equal(forkA.chain_id, "qos-light-fork-1");
  assert.equal(forkB.chain_id, forkA.chain_id);
  assert.equal(forkB.genesis_time, forkA.genesis_time);
  assert.deepEqual(forkB.network.nodes, forkA.network.nodes);
  // one genesis: header 1 is the same block on both
  assert.equal(blockHash(forkA, 1), blockHash(forkB, 1));
  for (let h = 1; h <= 8; h++) {
    // one fixed set of 4 × 10 signs every header of both
    for (const f of [forkA, forkB]) {
      assert.equal(header(f, h).validators_hash, "74F28E35FE993860B461C7F9485375622106944742231621BBB067303DB718A3");
      assert.deepEqual(at(f, h).validators.validators.map((v) => v.voting_power), ["10", "10", "10", "10"]);
    }
    const keys = (f: Fixture) => at(f, h).validators.validators.map((v) => [v.address, v.pub_key.value, v.voting_power]);
    assert.deepEqual(keys(forkA), keys(forkB));
    // from height 2 on: two different blocks at every height (conflicting headers)
    if (h >= 2) assert.notEqual(blockHash(forkA, h), blockHash(forkB, h), `fork at ${h}`);
    // the transfer committed on A at 2 shows in A's app hash from header 3 on
    assert.equal(header(forkA, h).app_hash === header(forkB, h).app_hash, h <= 2, `app hash at ${h}`);
  }
  assert.deepEqual(forkA.network.txs.map((t) => t.height), [2]);
  assert.deepEqual(forkB.network.txs, []);
  // B ran first: B's header H + 1 is older than A's header H (time going backwards across the fork)
  for (let h = 2; h < 8; h++) assert.ok(Date.parse(header(forkB, h + 1).time) < Date.parse(header(forkA, h).time), `B@${h + 1} before A@${h}`);
});
