// Inside a verify worker thread (verify-pool.ts): each batch's txs through decodeTx and the chain's
// signature checks, answered in order on the answer port, then the main thread woken.
import { parentPort, workerData } from "node:worker_threads";
import type { Router } from "../router.js";
import { decodeTx, type DecodedTx, type VerifiedSigner } from "./decode.js";
import { MaxHints, ReadyId, type VerifyAnswer, type VerifyBatch, type VerifyWorkerData } from "./verify-pool.js";

/** the chain's stateless signature checks (modules/auth signatureFacts) */
export type SignatureFacts = (tx: DecodedTx, chainId: string, accountNumberOf: (signer: string) => bigint | undefined) => Array<VerifiedSigner | undefined>;

/** Serves the pool's batches with `router` (the app's, built from the same profile) until the thread ends. */
export function serveVerifyBatches(router: Router, facts: SignatureFacts): void {
  const { answers, signal } = workerData as VerifyWorkerData;
  const woken = new Int32Array(signal);
  const accountNumbers = new Map<string, bigint>();
  const accountNumberOf = (signer: string) => accountNumbers.get(signer);
  parentPort!.on("message", (batch: VerifyBatch) => {
    for (const [signer, accountNumber] of batch.hints) {
      accountNumbers.delete(signer);
      accountNumbers.set(signer, accountNumber);
      // the oldest first: Map keeps insertion order
      if (accountNumbers.size > MaxHints) accountNumbers.delete(accountNumbers.keys().next().value!);
    }
    const results = batch.txs.map((bytes, i) => {
      try {
        // the size limit is the main thread's to check (a chain parameter): it sent nothing larger
        const tx = decodeTx(bytes, router, Number.MAX_SAFE_INTEGER, Buffer.from(batch.digests[i]));
        return facts(tx, batch.chainId, accountNumberOf);
      } catch {
        return undefined;
      }
    });
    answer({ id: batch.id, results });
  });
  answer({ id: ReadyId, results: [] });

  function answer(a: VerifyAnswer): void {
    answers.postMessage(a);
    Atomics.add(woken, 0, 1);
    Atomics.notify(woken, 0);
  }
}
