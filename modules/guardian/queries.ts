import { parseAccAddress } from "../../app/address.js";
import type { QueryHandler } from "../../app/module.js";
import {
  QueryGuardianRequest, QueryGuardianResponse, QueryGuardiansRequest, QueryGuardiansResponse, QueryHaltResponse,
} from "../../gen/qos/guardian/v1/query.js";
import { Method } from "../../gen/names.js";
import { GuardianErrors } from "./errors.js";
import type { GuardianKeeper } from "./keeper.js";

export function guardianQueries(keeper: GuardianKeeper): Record<string, QueryHandler> {
  return {
    [Method.qos.guardian.v1.Query.Guardian]: (ctx, request) => {
      const { address } = QueryGuardianRequest.decode(request);
      const guardian = keeper.getGuardian(ctx.store, parseAccAddress(address, "address"));
      if (!guardian) throw GuardianErrors.guardianNotFound.with(address);
      return QueryGuardianResponse.encode({ guardian }).finish();
    },
    [Method.qos.guardian.v1.Query.Guardians]: (ctx, request) => {
      const page = keeper.guardiansPage(ctx.store, QueryGuardiansRequest.decode(request).pagination);
      return QueryGuardiansResponse.encode({ guardians: page.items, pagination: page.pagination }).finish();
    },
    [Method.qos.guardian.v1.Query.Halt]: (ctx) => {
      const halt = keeper.getHalt(ctx.store);
      return QueryHaltResponse.encode({ halted: halt !== undefined, halt }).finish();
    },
  };
}
