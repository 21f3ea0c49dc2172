// approve has no parameters; the file is here so every module has the same shape.
export type Params = Record<string, never>;
export const DefaultParams: Params = {};
