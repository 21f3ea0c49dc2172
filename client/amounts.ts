// Amount arguments of module commands, checked before anything is built or sent.
import { CliError } from "./errors.js";

/** A whole number of a denom's smallest unit, positive unless `zeroAllowed`; returned as typed. */
export function wholeAmount(text: string, what: string, zeroAllowed = false): string {
  if (!/^[0-9]+$/.test(text) || (!zeroAllowed && /^0+$/.test(text))) {
    throw new CliError(`${what} ${JSON.stringify(text)} must be a ${zeroAllowed ? "" : "positive "}whole number of the smallest unit`);
  }
  return text;
}
