// The explorer's only data sources: the node's REST gateway and CometBFT's RPC, both forwarded by the
// explorer server under /api/ (same origin).
export class NotFound extends Error {}
export class NodeDown extends Error {}

async function getJson(url: string, height?: string): Promise<any> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json", ...(height ? { "x-cosmos-block-height": height } : {}) } });
  } catch (e) {
    throw new NodeDown(`the explorer server is unreachable (${(e as Error).message})`);
  }
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) throw new NodeDown(body?.message ?? `HTTP ${res.status}`);
  if (res.status === 404 || body?.code === 5) throw new NotFound(body?.message ?? "not found");
  if (!res.ok) throw new Error(body?.message ?? `HTTP ${res.status} for ${url}`);
  if (body && typeof body === "object" && !Array.isArray(body)) Object.defineProperty(body, "height", { value: res.headers.get("x-cosmos-block-height") ?? undefined, enumerable: false });
  return body;
}

/** GET a REST route, e.g. rest("/qos/stake/v1/validators"), at the latest state or at `height`; the answer's
 *  state height is its (non-enumerable) `height`. */
export function rest(path: string, params: Record<string, string> = {}, height?: string): Promise<any> {
  const qs = new URLSearchParams(params).toString();
  return getJson(`/api/rest${path}${qs ? "?" + qs : ""}`, height);
}

/** A CometBFT RPC read (URI form); the JSON-RPC result, or the RPC's error as an Error. */
export async function rpc(method: string, params: Record<string, string> = {}): Promise<any> {
  const qs = new URLSearchParams(params).toString();
  const body = await getJson(`/api/rpc/${method}${qs ? "?" + qs : ""}`);
  if (body.error) {
    const text = `${body.error.message ?? ""} ${body.error.data ?? ""}`;
    if (/not found|must be less than or equal|is not available|height .* must be/i.test(text)) throw new NotFound(text.trim());
    throw new Error(text.trim());
  }
  return body.result;
}

/** A REST route that may be absent: undefined on 404. */
export async function restMaybe(path: string, params: Record<string, string> = {}): Promise<any | undefined> {
  try {
    return await rest(path, params);
  } catch (e) {
    if (e instanceof NotFound) return undefined;
    throw e;
  }
}
