// DOM building without HTML strings: every value goes in as a text node, so a hostile memo, moniker or token
// name is shown as text and can never become markup (the page has no innerHTML anywhere).
export type Child = Node | string | number | bigint | null | undefined | false | Child[];

export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** A link inside the page (routes live in the #fragment). */
export function link(route: string, ...children: Child[]): HTMLElement {
  return h("a", { href: "#" + route }, ...children);
}

/** A key/value list; each value carries data-k=<key> so tests and scripts can read it. */
export function fields(rows: Array<[label: string, key: string, value: Child]>): HTMLElement {
  return h("dl", { class: "fields" }, rows.map(([label, key, value]) => [h("dt", {}, label), h("dd", { "data-k": key }, value)]));
}

export function table(testid: string, headers: string[], rows: Child[][], empty = "none"): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty", "data-testid": testid }, empty);
  return h(
    "table",
    { "data-testid": testid },
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))),
  );
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", {}, h("h2", {}, title), ...children);
}
