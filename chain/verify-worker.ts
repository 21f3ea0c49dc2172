// The chain's verify worker entry (app/tx/verify-pool.ts): the router of the app's profile, so that decodeTx
// here gives what it gives on the main thread, and auth's signature checks.
import { workerData } from "node:worker_threads";
import { Router } from "../app/router.js";
import type { VerifyWorkerData } from "../app/tx/verify-pool.js";
import { serveVerifyBatches } from "../app/tx/verify-worker.js";
import { signatureFacts } from "../modules/auth/index.js";
import { composeChain, type Profile } from "./index.js";

const { profile } = (workerData as VerifyWorkerData).chain as { profile: Profile };
serveVerifyBatches(new Router(composeChain(profile).modules), signatureFacts);
