// No genesis section: every module keeps its parameters in its own genesis (`app_state.<module>.params`).
export function defaultGenesis(): undefined {
  return undefined;
}
