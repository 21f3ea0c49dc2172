#!/usr/bin/env node
// `npm run testnet:qcp`: QOS + a business chain + a relayer on this machine (temporary homes), a QSC
// token STAR on the business chain, one transfer to QOS to show the flow. Prints the RPC addresses and
// the relayer's metrics URL; Ctrl-C stops everything and deletes the homes.
import { startQcpPair, sleep } from "./qcp-pair.js";
import { MsgTransfer } from "../gen/qos/qcp/v1/tx.js";

const pair = await startQcpPair({ qosChainId: "qos-local-qcp", bizChainId: "biz-local-qcp", timeoutCommit: "500ms", relayers: 1 });
const relayer = await pair.relayer(0);
relayer.start();
const stop = async () => {
  console.log("\nstopping");
  await pair.destroy();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
console.log(`QOS           ${pair.qos.id}  RPC ${pair.qos.node.rpcUrl}  home ${pair.qos.node.home}`);
console.log(`business      ${pair.biz.id}  RPC ${pair.biz.node.rpcUrl}  home ${pair.biz.node.home}`);
console.log(`relayer       config ${relayer.configFile}  metrics http://127.0.0.1:${relayer.metricsPort}/metrics`);
console.log(`token STAR on ${pair.biz.id}, holder ${pair.alice.address}`);
const started = Date.now();
await pair.biz.submit(pair.alice, [{
  typeUrl: "/qos.qcp.v1.MsgTransfer",
  value: MsgTransfer.fromPartial({ sender: pair.alice.address, toChain: pair.qos.id, receiver: pair.bob.address, denom: "STAR", amount: "1000" }),
}]);
while ((await pair.qos.balance(pair.bob.address, "STAR")) !== 1000n) await sleep(100);
console.log(`1000 STAR from ${pair.alice.address} on ${pair.biz.id} reached ${pair.bob.address} on ${pair.qos.id} in ${Date.now() - started} ms`);
console.log("relayer log follows; Ctrl-C to stop");
let shown = 0;
setInterval(() => {
  process.stdout.write(relayer.output.slice(shown));
  shown = relayer.output.length;
}, 1000);
