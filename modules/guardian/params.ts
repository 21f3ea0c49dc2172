// guardian has no parameters; limits of its messages are constants.
export type Params = Record<string, never>;
export const DefaultParams: Params = {};
export const MaxDescriptionBytes = 1000;
export const MaxReasonBytes = 1000;
