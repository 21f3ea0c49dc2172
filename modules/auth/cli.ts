// qoscli commands of the auth module: `query account`.
import type { Command } from "commander";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { parseAccAddress } from "../../app/address.js";
import { addVerifyFlag, CliContext, CliError, example, fetchAccount, verifiedStateFor, type ChainAccount, type CliModule } from "../../client/index.js";
import { TypeUrl } from "../../gen/names.js";
import { accountEntry } from "./keeper.js";

export const authCli: CliModule = ({ query }) => {
  example(
    addVerifyFlag(
      query
        .command("account")
        .argument("<address|key>", "a qosacc1... address or a key name")
        .description("an account's number, sequence and public key"),
    ),
    "qoscli query account alice --output json",
    "qoscli query account alice --verify",
  ).action(async (who: string, opts: { verify?: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address } = ctx.resolveAddress(who);
    const verified = await verifiedStateFor(ctx, opts.verify);
    let account: ChainAccount | undefined;
    if (verified) {
      const base = await verified.get(accountEntry(parseAccAddress(address)), `account ${address}`);
      if (base && base.address !== address) throw new CliError(`account ${address} is proven, but the stored account names ${base.address}`);
      account = base && {
        address: base.address,
        accountNumber: base.accountNumber,
        sequence: base.sequence,
        pubkey: base.pubKey && base.pubKey.value.length ? PubKey.decode(base.pubKey.value).key : undefined,
      };
    } else account = await fetchAccount(ctx, address);
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
