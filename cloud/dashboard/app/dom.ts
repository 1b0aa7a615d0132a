/** A small element builder: `h('td', { class: 'name' }, 'lamp-1', child)`. Strings become text nodes, never HTML. */
type Child = Node | string | number | false | null | undefined;
type Props = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
  return element;
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string | number => c !== false && c !== null && c !== undefined).map((c) => (typeof c === 'number' ? String(c) : c)));
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** "12 s ago", "3 min ago", or the date for older times. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return new Date(ms).toLocaleString();
}

export const attributeList = (attributes: Record<string, string>) =>
  h('span', { class: 'attributes' }, ...Object.entries(attributes).map(([k, v]) => h('span', { class: 'attribute' }, `${k}=${v}`)));

/** A view's answer to the live feed's messages. */
export type LiveHandler = (message: import('./messages.js').LiveMessage) => void;
