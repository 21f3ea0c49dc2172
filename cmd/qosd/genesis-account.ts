// qosd add-genesis-account: an account and its balance in genesis.json.
import { parseAccAddress } from "../../app/address.js";
import { addCoins, coinsToWire, parseCoins, parseCoinsString } from "../../app/coins.js";
import { readGenesis, writeGenesis } from "./home.js";

export function addGenesisAccount(home: string, address: string, coinsText: string): void {
  parseAccAddress(address);
  const coins = parseCoinsString(coinsText);
  if (coins.length === 0) throw new Error("give at least one coin, e.g. 1000000uqos");
  const genesis = readGenesis(home);
  const state = (genesis.app_state ??= {});
  const auth = (state.auth ??= { accounts: [] });
  auth.accounts ??= [];
  if (!auth.accounts.some((a: { address: string }) => a.address === address)) auth.accounts.push({ address });
  const bank = (state.bank ??= { balances: [] });
  bank.balances ??= [];
  const entry = bank.balances.find((b: { address: string }) => b.address === address);
  if (entry) entry.coins = coinsToWire(addCoins(parseCoins(entry.coins), coins));
  else bank.balances.push({ address, coins: coinsToWire(coins) });
  delete bank.supply; // recomputed from balances at InitChain
  writeGenesis(home, genesis);
}
