// Test accounts and transaction signing through CosmJS (the same code a wallet runs).
import { DirectSecp256k1HdWallet, DirectSecp256k1Wallet, Registry, encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { stringToPath } from "@cosmjs/crypto";
import { fromBase64 } from "@cosmjs/encoding";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { qscRegistryTypes } from "./qsc.js";
import { stakeRegistryTypes } from "./stake.js";

export const hdPath = stringToPath("m/44'/389'/0'/0/0");
export const registry = new Registry([...defaultRegistryTypes, ["/qos.bank.v1.MsgTransfer", MsgTransfer as any], ...qscRegistryTypes, ...stakeRegistryTypes]);

export interface TestAccount {
  wallet: DirectSecp256k1Wallet;
  address: string;
  pubkey: Uint8Array;
}

/** A deterministic account from a seed string (private key = sha256(seed)). */
export async function testAccount(seed: string): Promise<TestAccount> {
  const key = createHash("sha256").update(seed).digest();
  const wallet = await DirectSecp256k1Wallet.fromKey(new Uint8Array(key), "qosacc");
  const [account] = await wallet.getAccounts();
  return { wallet, address: account.address, pubkey: account.pubkey };
}

export async function mnemonicWallet(mnemonic: string): Promise<DirectSecp256k1HdWallet> {
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [hdPath] });
}

export interface SignOptions {
  chainId: string;
  accountNumber: bigint | number;
  sequence: bigint | number;
  fee?: { amount: { denom: string; amount: string }[]; gas: string };
  memo?: string;
}

/** Signs messages with SIGN_MODE_DIRECT and returns the TxRaw bytes. */
export async function signTx(account: TestAccount, msgs: EncodeObject[], options: SignOptions): Promise<Uint8Array> {
  const fee = options.fee ?? { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };
  const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: msgs, memo: options.memo ?? "" } });
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(account.pubkey)), sequence: BigInt(options.sequence) }],
    fee.amount,
    Number(fee.gas),
    undefined,
    undefined,
  );
  const signDoc = makeSignDoc(bodyBytes, authInfoBytes, options.chainId, Number(options.accountNumber));
  const { signature } = await account.wallet.signDirect(account.address, signDoc);
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
}
