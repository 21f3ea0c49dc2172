// app/address.ts spells and reads the common address shape (qosacc, 20 bytes) with its own bech32 code and
// leaves everything else to @cosmjs/encoding: both must give the same answer for every input, hostile
// ones included (a wrong checksum, a character outside the alphabet, upper or mixed case, another prefix
// or length), so that the fast path can never accept what the general codec refuses, or the reverse.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { decodeAccAddress, parseAccAddress, toAccAddress } from "../../app/address.js";

/** what the general codec says of `s` as an account address: its bytes, or that it is refused */
function reference(s: string): string {
  try {
    if (s !== s.toLowerCase() && s === s.toUpperCase()) return "refused";
    const { prefix, data } = fromBech32(s, 90);
    return prefix === "qosacc" && data.length === 20 ? Buffer.from(data).toString("hex") : "refused";
  } catch {
    return "refused";
  }
}

function answer(parse: (s: string) => Uint8Array, s: string): string {
  try {
    return Buffer.from(parse(s)).toString("hex");
  } catch (e) {
    assert.match((e as Error).message, /address/);
    return "refused";
  }
}

const Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l1bioQPZ";

describe("address codec", () => {
  test("20 bytes spell as @cosmjs/encoding spells them, and read back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const address = toAccAddress(bytes);
        assert.equal(address, toBech32("qosacc", bytes));
        assert.deepEqual([...decodeAccAddress(address)], [...bytes]);
        assert.deepEqual([...parseAccAddress(address)], [...bytes]);
      }),
      { numRuns: 2000 },
    );
  });

  test("attack: an address with characters changed, cut, lengthened or recased is accepted or refused exactly as by @cosmjs/encoding", () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), at: fc.nat(), char: fc.constantFrom(...Alphabet) }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("add" as const), at: fc.nat(), char: fc.constantFrom(...Alphabet) }),
      fc.record({ kind: fc.constant("upper" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("all-upper" as const) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.array(edit, { minLength: 0, maxLength: 3 }), (bytes, edits) => {
        let s = toBech32("qosacc", bytes);
        for (const e of edits) {
          if (e.kind === "all-upper") s = s.toUpperCase();
          else {
            const at = e.at % (s.length + 1);
            if (e.kind === "set") s = s.slice(0, at) + e.char + s.slice(at + 1);
            else if (e.kind === "cut") s = s.slice(0, at) + s.slice(at + 1);
            else if (e.kind === "add") s = s.slice(0, at) + e.char + s.slice(at);
            else s = s.slice(0, at) + s.slice(at, at + 1).toUpperCase() + s.slice(at + 1);
          }
        }
        const expected = reference(s);
        assert.equal(answer(decodeAccAddress, s), expected, s);
        assert.equal(answer(parseAccAddress, s), expected, s);
      }),
      { numRuns: 5000 },
    );
  });

  test("attack: another prefix or length with a valid checksum is refused (only qosacc of 20 bytes is an account)", () => {
    const bytes = new Uint8Array(20).fill(7);
    for (const s of [toBech32("qosval", bytes), toBech32("qosacc", bytes.subarray(0, 19)), toBech32("qosacc", new Uint8Array(32)), toBech32("cosmos", bytes)]) {
      assert.throws(() => decodeAccAddress(s), /prefix|bytes, expected 20/);
    }
    // one flipped checksum character: refused with bech32's own reason
    const good = toBech32("qosacc", bytes);
    const bad = good.slice(0, -1) + (good.endsWith("q") ? "p" : "q");
    assert.throws(() => decodeAccAddress(bad), /is not valid bech32 \(.*checksum/i);
  });
});
