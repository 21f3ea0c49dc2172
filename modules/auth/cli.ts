// qoscli commands of the auth module: `query account`.
import type { Command } from "commander";
import { CliContext, CliError, example, fetchAccount, type CliModule } from "../../client/index.js";
import { TypeUrl } from "../../gen/names.js";

export const authCli: CliModule = ({ query }) => {
  example(
    query
      .command("account")
      .argument("<address|key>", "a qosacc1... address or a key name")
      .description("an account's number, sequence and public key"),
    "qoscli query account alice --output json",
  ).action(async (who: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address } = ctx.resolveAddress(who);
    const account = await fetchAccount(ctx, address);
    if (!account) throw new CliError(`account ${address} not found on the chain: it has never received funds`);
    const out = {
      address: account.address,
      account_number: account.accountNumber.toString(),
      sequence: account.sequence.toString(),
      pub_key: account.pubkey ? { "@type": TypeUrl.cosmos.crypto.secp256k1.PubKey, key: Buffer.from(account.pubkey).toString("base64") } : null,
    };
    ctx.print(out, () =>
      [`address: ${out.address}`, `account_number: ${out.account_number}`, `sequence: ${out.sequence}`, `pub_key: ${out.pub_key?.key ?? "(none yet: the account has not signed a tx)"}`].join("\n"),
    );
  });
};
