// qoscli keys: add (new or --recover), list, show, delete, import, export.
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { CliContext, CliError, DefaultHdPath, example, toHex, type KeyInfo } from "../../client/index.js";

const keyringHelp = `
Keys live in <home>/keyring-<backend>/<name>.json. With the default backend "file" the secret is
encrypted (scrypt + aes-256-gcm) with a passphrase read from the terminal without echo, or from the
next line of stdin when stdin is not a terminal. "--keyring-backend test" stores secrets unencrypted:
for tests and scripts only.`;

export function addKeysCommands(program: Command): void {
  const keys = example(
    program.command("keys").description("manage the local keys (BIP39 mnemonics, path m/44'/389'/0'/0/0)").addHelpText("after", keyringHelp),
    "qoscli keys add alice && qoscli keys list",
  );

  example(
    keys
      .command("add")
      .argument("<name>", "a name for the key")
      .description("create a key from a new 24-word mnemonic (printed once: it is the only backup), or --recover one")
      .option("--recover", "read an existing mnemonic (one line of stdin, or a hidden prompt) instead of creating one", false)
      .option("--hd-path <path>", "BIP44 derivation path", DefaultHdPath)
      .addHelpText("after", keyringHelp),
    "qoscli keys add alice",
    "echo \"$MNEMONIC\" | qoscli keys add bob --recover --keyring-backend test",
  ).action(async (name: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    let mnemonic: string | undefined;
    if (opts.recover) {
      mnemonic = await ctx.input.readSecret("Enter your BIP39 mnemonic: ");
      if (!mnemonic.trim()) throw new CliError("empty mnemonic: give the words on stdin (one line) or at the prompt");
    }
    const { info, mnemonic: words } = await ctx.keyring.add(name, mnemonic, opts.hdPath);
    if (opts.recover) {
      ctx.print(info, () => showText(info));
      return;
    }
    ctx.print({ ...info, mnemonic: words }, () =>
      [
        showText(info),
        "",
        "**Write this mnemonic down and keep it safe. It is the only way to recover the key.**",
        "",
        words,
      ].join("\n"),
    );
  });

  example(keys.command("list").description("list the keys (names and addresses)"), "qoscli keys list --output json").action((_opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const list = ctx.keyring.list();
    ctx.print(list, () => (list.length ? list.map((k) => `${k.name}\t${k.address}`).join("\n") : `no keys in ${ctx.keyring.dir}`));
  });

  example(
    keys.command("show").argument("<name>", "key name").description("show a key's address and public key").option("-a, --address", "print the address only", false),
    "qoscli keys show alice -a",
  ).action((name: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const info = ctx.keyring.get(name);
    if (opts.address) ctx.print(info.address, () => info.address);
    else ctx.print(info, () => showText(info));
  });

  example(
    keys.command("delete").argument("<name>", "key name").description("delete a key (its mnemonic is the only way back)").option("-y, --yes", "do not ask for confirmation", false),
    "qoscli keys delete alice --yes",
  ).action(async (name: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const info = ctx.keyring.get(name);
    if (!opts.yes) {
      if (!ctx.input.interactive) throw new CliError(`deleting key ${name} needs confirmation: add --yes`);
      const answer = await ctx.input.readLine(`Delete key ${name} (${info.address})? Type the key name to confirm: `);
      if (answer.trim() !== name) throw new CliError("not confirmed: nothing deleted");
    }
    ctx.keyring.delete(name);
    ctx.print({ deleted: name, address: info.address }, () => `deleted key ${name} (${info.address})`);
  });

  example(
    keys
      .command("export")
      .argument("<name>", "key name")
      .description("print the key's private key encrypted with an export passphrase (ASCII armor), for `keys import`")
      .option("--unsafe-export-private-key", "print the private key in clear (hex) instead: anyone who sees it owns the account", false),
    "qoscli keys export alice > alice.key",
    "qoscli keys export alice --unsafe-export-private-key",
  ).action(async (name: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    ctx.keyring.get(name);
    if (opts.unsafeExportPrivateKey) {
      const { privateKey } = await ctx.keyring.secret(name);
      process.stdout.write(toHex(privateKey) + "\n");
      return;
    }
    process.stdout.write(await ctx.keyring.exportArmored(name));
  });

  example(
    keys.command("import").argument("<name>", "a name for the key").argument("<file>", "a file written by `keys export`").description("import an exported (armored, encrypted) key"),
    "qoscli keys import alice2 alice.key",
  ).action(async (name: string, file: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const info = await ctx.keyring.importArmored(name, text);
    ctx.print(info, () => showText(info));
  });
}

function showText(info: KeyInfo): string {
  return [`name: ${info.name}`, `address: ${info.address}`, `pubkey: ${info.pubkey}`, `hd_path: ${info.hd_path || "(imported private key)"}`].join("\n");
}
