// The params module has no parameters of its own: it is the registry of the other modules' (keeper.ts).
export type Params = Record<string, never>;
export const DefaultParams: Params = {};
