import { BaseDenom } from "../../app/coins.js";
import type { Module, MsgHandler } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { QcpKeeper, type QcpBank } from "./keeper.js";
import { clientHandlers } from "./client.js";
import { qcpMsgs, type QcpEnv } from "./msgs.js";
import { qcpQueries } from "./queries.js";

export { QcpKeeper, escrowAccount, EscrowAccountName, QcpModuleAccount, interchainAccount, outboxKey, outboxKeyBytes, entryHash, voucherDenom } from "./keeper.js";
export { QcpErrors } from "./errors.js";
export { ParamsSchema as QcpParamsSchema } from "./params.js";
export { PayloadTypes, type QcpEnv } from "./msgs.js";

/** Governance's ClientProposal (gov content qcp_client): its stateless check, its check against state
 *  (at submission and at execution) and its change. */
export type QcpClientProposals = ReturnType<typeof clientHandlers>["proposals"];
/** Governance's RecoverClientProposal (gov content qcp_recover): recovery from a substitute client. */
export type QcpRecoverProposals = ReturnType<typeof clientHandlers>["recoverProposals"];

export interface QcpDeps {
  bank: QcpBank;
  /** is `denom` a token registered on this chain (QSC)? Such denoms and the base denom are native here */
  tokenExists(store: KVReader, denom: string): boolean;
  /** runs a refund with a token's pause lifted (qsc), so a paused token cannot stall a route */
  restoring<T>(move: () => T): T;
  /** the chain's modules (read when an ExecutePayload runs), whose message handlers it may call */
  modules(): readonly Module[];
}

/** The QCP module (on every chain). Other modules send cross-chain messages with `keeper.enqueue`. */
export function createQcpModule(deps: QcpDeps): { module: Module; keeper: QcpKeeper; clientProposals: QcpClientProposals; recoverProposals: QcpRecoverProposals } {
  const keeper = new QcpKeeper(deps.bank);
  let handlers: Map<string, MsgHandler> | undefined;
  const env: QcpEnv = {
    msgHandler: (typeUrl) => {
      handlers ??= new Map(deps.modules().flatMap((m) => (m.msgs ?? []).map((h) => [h.typeUrl, h] as const)));
      return handlers.get(typeUrl);
    },
    isNativeDenom: (store, denom) => denom === BaseDenom || deps.tokenExists(store, denom),
    restoring: (move) => deps.restoring(move),
  };
  const client = clientHandlers(keeper);
  const module: Module = {
    name: "qcp",
    msgs: [...qcpMsgs(keeper, env), client.create, client.update, client.misbehaviour, client.createSubstitute],
    queries: qcpQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper, clientProposals: client.proposals, recoverProposals: client.recoverProposals };
}
