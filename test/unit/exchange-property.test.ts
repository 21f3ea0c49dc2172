// Property (fast-check): random sequences of add / remove / swap (exact in and out, both ways) and
// round trips by three accounts on one pool never let value leak out of it. After every action, taken
// or refused: per denom nothing is created or destroyed (bank's supply invariant, the supplies unchanged),
// the exchange's invariants hold, k never decreases across a swap, the value of one share
// (√k / shares) never decreases, and an add taken straight back or a swap swapped straight back never
// returns more than was put in.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AppError } from "../../app/errors.js";
import { GasMeter } from "../../app/gas.js";
import type { Context, MsgHandler } from "../../app/module.js";
import { CacheStore, type KVReader } from "../../app/state/kv.js";
import { composeChain } from "../../chain/index.js";
import { TypeUrl } from "../../gen/names.js";
import { MsgAddLiquidityResponse, MsgRemoveLiquidityResponse, MsgSwapResponse } from "../../gen/qos/exchange/v1/tx.js";
import { toAccAddress } from "../../app/address.js";
import { shareDenom } from "../../modules/exchange/index.js";

const Urls = TypeUrl.qos.exchange.v1;
const seed = Number(process.env.FUZZ_SEED ?? 20261129);
const numRuns = Number(process.env.FUZZ_RUNS ?? 150);

const empty: KVReader = { get: () => undefined, has: () => false, *iterate() {} };
const accounts = [1, 2, 3].map((i) => new Uint8Array(20).fill(i));

type Op =
  | { kind: "add"; who: number; maxQsc: bigint; maxQos: bigint }
  | { kind: "remove"; who: number; permille: number }
  | { kind: "swapIn" | "swapOut"; who: number; sellQsc: boolean; amount: bigint }
  | { kind: "roundTripAdd"; who: number; maxQsc: bigint; maxQos: bigint }
  | { kind: "roundTripSwap"; who: number; sellQsc: boolean; amount: bigint }
  | { kind: "wait"; seconds: number };

const amount = fc.bigInt({ min: 1n, max: 10n ** 12n });
const who = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), who, maxQsc: amount, maxQos: amount }),
  fc.record({ kind: fc.constant("remove" as const), who, permille: fc.integer({ min: 1, max: 1100 }) }),
  fc.record({ kind: fc.constantFrom("swapIn" as const, "swapOut" as const), who, sellQsc: fc.boolean(), amount: fc.oneof(amount, fc.bigInt({ min: 1n, max: 1000n })) }),
  fc.record({ kind: fc.constant("roundTripAdd" as const), who, maxQsc: amount, maxQos: amount }),
  fc.record({ kind: fc.constant("roundTripSwap" as const), who, sellQsc: fc.boolean(), amount }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 100 }) }),
);

function world(initialQsc: bigint, initialQos: bigint) {
  const chain = composeChain("business");
  const store = new CacheStore(empty);
  for (const a of accounts) chain.bank.mint(store, undefined, a, [{ denom: "STAR", amount: 10n ** 13n }, { denom: "uqos", amount: 10n ** 13n }]);
  chain.qsc.setToken(store, { name: "STAR", symbol: "STAR", decimals: 0, description: "", banker: toAccAddress(accounts[0]), creator: "", paused: false });
  const handlers = new Map<string, MsgHandler>(chain.modules.find((m) => m.name === "exchange")!.msgs!.map((h) => [h.typeUrl, h]));
  let time = 1_800_000_000n;
  /** one message on a branch: written when it succeeds (its response value), dropped when refused */
  const exec = (typeUrl: string, value: object): Uint8Array | undefined => {
    const h = handlers.get(typeUrl)!;
    const branch = new CacheStore(store);
    const ctx: Context = { store: branch, block: { chainId: "prop-1", height: 1, timeNs: time * 1_000_000_000n }, gas: new GasMeter(), events: [], mode: "deliver" };
    try {
      const out = h.execute(ctx, h.checkStateless(h.codec.fromPartial(value)));
      branch.write();
      return out.value;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return undefined;
    }
  };
  const created = exec(Urls.MsgCreatePool, { creator: toAccAddress(accounts[0]), denom: "STAR", amountQsc: initialQsc.toString(), amountQos: initialQos.toString() });
  return { chain, store, exec, created, advance: (s: number) => (time += BigInt(s)) };
}

test("property: no sequence of add / remove / swap lets value leak out of a pool", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.array(opArb, { minLength: 1, maxLength: 40 }), (qsc0, qos0, ops) => {
      const w = world(qsc0, qos0);
      fc.pre(w.created !== undefined); // √(qsc·qos) > 1000
      const { chain, store, exec } = w;
      const pool = () => chain.exchange.requirePool(store, "STAR");
      const bal = (i: number, denom: string) => chain.bank.getBalance(store, accounts[i], denom);
      const supplies = () => ["STAR", "uqos"].map((d) => chain.bank.getSupply(store, d));
      const initialSupplies = supplies();
      const swapMsg = (i: number, sellQsc: boolean, exact: "in" | "out", n: bigint) => ({
        sender: toAccAddress(accounts[i]), route: sellQsc ? ["STAR", "uqos"] : ["uqos", "STAR"],
        ...(exact === "in" ? { amountIn: n.toString(), minAmountOut: "0" } : { amountOut: n.toString(), maxAmountIn: (10n ** 30n).toString() }),
      });
      for (const op of ops) {
        const before = pool();
        const k0 = before.reserveQsc * before.reserveQos;
        switch (op.kind) {
          case "wait":
            w.advance(op.seconds);
            break;
          case "add":
            exec(Urls.MsgAddLiquidity, { sender: toAccAddress(accounts[op.who]), denom: "STAR", maxQsc: op.maxQsc.toString(), maxQos: op.maxQos.toString() });
            break;
          case "remove": {
            const shares = (bal(op.who, shareDenom("STAR")) * BigInt(op.permille)) / 1000n;
            exec(Urls.MsgRemoveLiquidity, { sender: toAccAddress(accounts[op.who]), denom: "STAR", shares: shares.toString() });
            break;
          }
          case "swapIn":
          case "swapOut": {
            const done = exec(Urls.MsgSwap, swapMsg(op.who, op.sellQsc, op.kind === "swapIn" ? "in" : "out", op.amount));
            const after = pool();
            if (done) assert.ok(after.reserveQsc * after.reserveQos >= k0, "k never decreases across a swap");
            break;
          }
          case "roundTripAdd": {
            const added = exec(Urls.MsgAddLiquidity, { sender: toAccAddress(accounts[op.who]), denom: "STAR", maxQsc: op.maxQsc.toString(), maxQos: op.maxQos.toString() });
            if (!added) break;
            const paid = MsgAddLiquidityResponse.decode(added);
            const removed = exec(Urls.MsgRemoveLiquidity, { sender: toAccAddress(accounts[op.who]), denom: "STAR", shares: paid.shares });
            if (!removed) break; // worth less than one unit of a side: the shares stay
            const got = MsgRemoveLiquidityResponse.decode(removed);
            assert.ok(BigInt(got.amountQsc) <= BigInt(paid.amountQsc) && BigInt(got.amountQos) <= BigInt(paid.amountQos), "an add taken straight back returns at most what was paid");
            break;
          }
          case "roundTripSwap": {
            const first = exec(Urls.MsgSwap, swapMsg(op.who, op.sellQsc, "in", op.amount));
            if (!first) break;
            const out = BigInt(MsgSwapResponse.decode(first).amountOut);
            const second = exec(Urls.MsgSwap, swapMsg(op.who, !op.sellQsc, "in", out));
            if (second) assert.ok(BigInt(MsgSwapResponse.decode(second).amountOut) <= op.amount, "a swap swapped straight back returns at most what was put in");
            break;
          }
        }
        const after = pool();
        // √k / S never decreases: k' · S² ≥ k · S'²
        assert.ok(after.reserveQsc * after.reserveQos * before.shares * before.shares >= k0 * after.shares * after.shares, `the value of a share fell after ${op.kind}`);
        chain.exchange.checkInvariants(store);
        chain.bank.checkSupplyInvariant(store);
        assert.deepEqual(supplies(), initialSupplies, "no STAR or uqos created or destroyed");
      }
    }),
    { seed, numRuns },
  );
});
