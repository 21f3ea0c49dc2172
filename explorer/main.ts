// The QOS block explorer: a single page whose routes live in the URL's #fragment. It reads the node's REST
// gateway and CometBFT's RPC (forwarded by qosd under /api/) and follows new blocks over CometBFT's
// WebSocket, polling instead while the socket is down.
import { h, link, section } from "./dom.js";
import { NodeDown, NotFound, rest, rpc } from "./api.js";
import { pages, type Page } from "./pages.js";

const main = document.getElementById("main")!;
const liveBadge = document.getElementById("live")!;

interface Route {
  page: Page;
  arg: string;
}

function route(): Route {
  const [, name = "", ...rest] = (location.hash.replace(/^#/, "") || "/").split("/");
  const arg = decodeURIComponent(rest.join("/"));
  const page = pages[name];
  return page ? { page, arg } : { page: notFoundPage, arg: location.hash };
}

const notFoundPage: Page = {
  live: false,
  async render(what) {
    throw new NotFound(`no page ${what}`);
  },
};

let renderSeq = 0;
/** Renders the current route; `refresh` keeps the page in place (live updates) and shows no loading state. */
async function render(refresh = false): Promise<void> {
  const seq = ++renderSeq;
  const { page, arg } = route();
  if (!refresh) {
    main.replaceChildren(h("p", { class: "loading" }, "loading…"));
    document.body.dataset.state = "loading";
  }
  let content: HTMLElement;
  let state: string;
  try {
    content = await page.render(arg);
    state = "ready";
  } catch (e) {
    if (e instanceof NotFound) {
      content = section("Not found", h("p", { "data-testid": "not-found" }, `Nothing matches ${arg || location.hash}. `, (e as Error).message), h("p", {}, link("/", "back to the latest blocks")));
      state = "not-found";
    } else if (e instanceof NodeDown) {
      content = section("Node down", h("p", { "data-testid": "node-down" }, "The node does not answer: ", (e as Error).message), h("p", {}, "This page retries by itself."));
      state = "node-down";
    } else {
      content = section("Error", h("p", { "data-testid": "error" }, (e as Error).message));
      state = "error";
    }
  }
  if (seq !== renderSeq) return; // a newer navigation won
  main.replaceChildren(content);
  document.body.dataset.state = state;
  document.body.dataset.route = location.hash || "#/";
}

// --- live updates ---------------------------------------------------------------------------------------
let lastLiveHeight = "";
function onNewHeight(height: string): void {
  if (height === lastLiveHeight) return;
  lastLiveHeight = height;
  liveBadge.textContent = `live · height ${height}`;
  liveBadge.className = "live on";
  const { page } = route();
  if (page.live || document.body.dataset.state === "node-down") void render(true);
}

let socket: WebSocket | undefined;
function connectLive(): void {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/websocket`;
  socket = new WebSocket(url);
  socket.onopen = () => {
    socket!.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event='NewBlock'" } }));
  };
  socket.onmessage = (msg) => {
    const data = JSON.parse(String(msg.data));
    const height = data?.result?.data?.value?.block?.header?.height;
    if (typeof height === "string") onNewHeight(height);
  };
  socket.onclose = () => {
    socket = undefined;
    liveBadge.textContent = "reconnecting…";
    liveBadge.className = "live off";
    setTimeout(connectLive, 3000);
  };
  socket.onerror = () => socket?.close();
}

// While the WebSocket is down (node restarting, proxy in between), poll the height.
setInterval(async () => {
  if (socket && socket.readyState === WebSocket.OPEN) return;
  try {
    const status = await rpc("status");
    onNewHeight(status.sync_info.latest_block_height);
  } catch {
    liveBadge.textContent = "node down";
    liveBadge.className = "live off";
    if (document.body.dataset.state !== "node-down" && route().page.live) void render(true);
  }
}, 3000);

// --- search -----------------------------------------------------------------------------------------------
/** Where a search term leads: a height, a tx hash, an account, a validator or a QSC token. */
export async function searchTarget(term: string): Promise<string> {
  const q = term.trim();
  if (/^\d+$/.test(q)) return `/block/${q}`;
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(q)) return `/tx/${q.replace(/^0x/, "").toUpperCase()}`;
  if (/^qosacc1[02-9ac-hj-np-z]+$/.test(q)) return `/account/${q}`;
  if (/^qosval1[02-9ac-hj-np-z]+$/.test(q)) return `/validator/${q}`;
  if (q !== "") {
    try {
      await rest(`/qos/qsc/v1/tokens/${encodeURIComponent(q)}`);
      return `/token/${encodeURIComponent(q)}`;
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
    }
  }
  return `/search/${encodeURIComponent(q)}`;
}

const form = document.getElementById("search") as HTMLFormElement;
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = form.querySelector("input")!;
  try {
    location.hash = "#" + (await searchTarget(input.value));
  } catch {
    location.hash = "#/search/" + encodeURIComponent(input.value);
  }
});

window.addEventListener("hashchange", () => void render());
void render();
connectLive();
