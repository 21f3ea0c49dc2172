// freePort (cmd/common/processes.ts): ports for local nodes must never be ports the kernel may hand to an
// outbound connection as its source port (that race made a testnet node fail to bind), must not be in use,
// and must not repeat within a process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { freePort, LocalPortRange } from "../../cmd/common/processes.js";

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

test("freePort: below the kernel's ephemeral range, bindable, never handed out twice", async () => {
  const [ephemeralFirst] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  assert.ok(LocalPortRange.last < ephemeralFirst, `local range ends at ${LocalPortRange.last}, the ephemeral range starts at ${ephemeralFirst}`);
  const seen = new Set<number>();
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const port = await freePort();
      assert.ok(port >= LocalPortRange.first && port <= LocalPortRange.last, `port ${port} outside ${LocalPortRange.first}-${LocalPortRange.last}`);
      assert.equal(seen.has(port), false, `port ${port} handed out twice`);
      seen.add(port);
      // every port handed out can be bound at once; keeping them bound makes later picks skip them
      servers.push(await listen(port));
    }
    assert.equal(seen.size, 300);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
});

test("freePort: a port something else listens on is skipped", async () => {
  // Occupy a third of the range; none of the next 100 picks may be one of them.
  const occupied = new Map<number, net.Server>();
  try {
    for (let port = LocalPortRange.first; port <= LocalPortRange.last && occupied.size < 4000; port += 3) {
      try {
        occupied.set(port, await listen(port));
      } catch {
        // already taken by something else: fine, it is occupied either way
      }
    }
    for (let i = 0; i < 100; i++) {
      const port = await freePort();
      assert.equal(occupied.has(port), false, `freePort returned ${port}, which is listened on`);
    }
  } finally {
    await Promise.all([...occupied.values()].map((s) => new Promise((r) => s.close(r))));
  }
});
