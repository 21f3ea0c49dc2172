#!/usr/bin/env node
// The QCP relayer (the whitepaper's Cassini role): `npm run relayer -- --config relayer.json`.
// Carries outbox entries along each configured route: keeps the destination's light client of the
// source updated (bisecting across validator-set changes), proves each entry against the header the
// client verified, reports conflicting headers as misbehaviour; keeps no state of its own (see
// route.ts and client.ts); serves /metrics.
import { createServer } from "node:http";
import { Command } from "commander";
import { ChainClient } from "./chain.js";
import { readConfig } from "./config.js";
import { prometheus, Route } from "./route.js";

const program = new Command("relayer")
  .description("QCP relayer: carries cross-chain messages between QOS chains")
  .requiredOption("--config <file>", "relayer config (JSON): chains {id, rpc, key}, routes {from, to}")
  .option("--metrics <host:port>", "override metrics_address (\"\" = none)")
  .action(async (opts: { config: string; metrics?: string }) => {
    const config = readConfig(opts.config);
    const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
    const chains = new Map(config.chains.map((c) => [c.id, new ChainClient(c)]));
    const routes = config.routes.map((r) => new Route(chains.get(r.from)!, chains.get(r.to)!, config, log));
    for (const chain of chains.values()) log(`chain ${chain.id} at ${chain.config.rpc}, relayer ${(await chain.getSigner()).address}`);
    const metricsAddress = opts.metrics ?? config.metrics_address;
    if (metricsAddress) {
      const [host, port] = [metricsAddress.slice(0, metricsAddress.lastIndexOf(":")), Number(metricsAddress.slice(metricsAddress.lastIndexOf(":") + 1))];
      const server = createServer((req, res) => {
        if (req.url === "/metrics") {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
          res.end(prometheus(routes));
        } else {
          res.writeHead(404).end();
        }
      });
      server.listen(port, host, () => {
        const a = server.address();
        log(`metrics on http://${host}:${typeof a === "object" && a ? a.port : port}/metrics`);
      });
    }
    const stop = () => {
      log("stopping");
      for (const r of routes) r.stop();
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const report = setInterval(() => {
      for (const r of routes) log(`[${r.name}] backlog ${r.metrics.backlog} (out ${r.metrics.outSequence}, in ${r.metrics.inSequence}), delivered ${r.metrics.delivered}, refused ${r.metrics.refused}, errors ${r.metrics.errors}, client at ${r.metrics.clientHeight} (${r.metrics.updates} updates, expires in ${r.metrics.clientHeadroomSeconds} s)`);
    }, 10_000);
    report.unref();
    await Promise.all(routes.map((r) => r.start()));
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`relayer: ${e.message}`);
  process.exit(1);
});
