// Production defaults of `qosd init`: CometBFT's strict p2p settings (allow_duplicate_ip=false,
// addr_book_strict=true) unless --local-network asks for the one-host values; the ABCI listener can be a
// unix socket (file mode 0600) and a node runs over it.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTomlValue, setTomlValue } from "../../cmd/common/cometbft.js";
import { TestNode, qosd } from "../helpers/node.js";

describe("qosd production defaults", () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  test("attack surface: qosd init writes allow_duplicate_ip=false and addr_book_strict=true; --local-network the one-host values", () => {
    const home = mkdtempSync(join(tmpdir(), "qosd-defaults-"));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    qosd(["init", "n0", "--home", join(home, "a"), "--chain-id", "qos-defaults-1"]);
    const toml = readFileSync(join(home, "a/config/config.toml"), "utf8");
    assert.deepEqual(
      [getTomlValue(toml, "p2p", "allow_duplicate_ip"), getTomlValue(toml, "p2p", "addr_book_strict"), getTomlValue(toml, "", "proxy_app")],
      ["false", "true", "tcp://127.0.0.1:26658"],
    );
    qosd(["init", "n1", "--home", join(home, "b"), "--chain-id", "qos-defaults-1", "--local-network"]);
    const local = readFileSync(join(home, "b/config/config.toml"), "utf8");
    assert.deepEqual([getTomlValue(local, "p2p", "allow_duplicate_ip"), getTomlValue(local, "p2p", "addr_book_strict")], ["true", "false"]);
  });

  test("a node runs with CometBFT dialling qosd over a unix socket of mode 0600", async () => {
    const node = await TestNode.create({ chainId: "qos-unix-1" });
    cleanup.push(() => node.destroy());
    const socket = join(node.home, "data/abci.sock");
    const tomlFile = join(node.home, "config/config.toml");
    writeFileSync(tomlFile, setTomlValue(readFileSync(tomlFile, "utf8"), "", "proxy_app", `unix://${socket}`));
    await node.start();
    assert.equal(getTomlValue(readFileSync(tomlFile, "utf8"), "", "proxy_app"), `unix://${socket}`, "the node was not moved to TCP ports");
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    assert.ok((await node.height()) >= 2);
    assert.match(node.output, new RegExp(`ABCI on unix://${socket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });
});
