/** Shared by the web pages: the token (from the URL fragment or a form) and small DOM helpers. */

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

/** The server this page came from, as a WebSocket base URL. */
export const serverUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

/**
 * The token: `#token=…` in the URL (a fragment never leaves the browser), else asked for with the
 * page's login form. Kept in sessionStorage so a reload does not ask again.
 */
export function obtainToken(storageKey: string): Promise<string> {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(storageKey, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return Promise.resolve(fromHash);
  }
  const saved = sessionStorage.getItem(storageKey);
  if (saved) return Promise.resolve(saved);
  const form = byId<HTMLFormElement>('login');
  form.hidden = false;
  byId<HTMLInputElement>('token').focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const token = byId<HTMLInputElement>('token').value.trim();
      if (!token) return;
      sessionStorage.setItem(storageKey, token);
      form.hidden = true;
      resolve(token);
    });
  });
}

/** The claims of a JWT, read without checking (the server checks): for display only. */
export function claims(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function setStatus(text: string, state: 'live' | 'down' | 'idle'): void {
  const el = byId('status');
  el.textContent = text;
  el.dataset.state = state;
}

/** An element with text content only (never HTML from data). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0 s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * Brings a table body's rows in line with `items`, keyed by `key(item)`: existing rows are kept
 * (so focus and selection stay on them) and updated by `fill`, new ones made, gone ones removed,
 * and the order follows `items`. `empty`: the text of a single row when there is none.
 */
export function syncRows<T>(
  body: HTMLTableSectionElement,
  items: readonly T[],
  key: (item: T) => string,
  fill: (row: HTMLTableRowElement, item: T) => void,
  empty: { text: string; columns: number },
): void {
  const byKey = new Map<string, HTMLTableRowElement>();
  for (const row of body.rows) if (row.dataset.key !== undefined) byKey.set(row.dataset.key, row);
  const rows: HTMLTableRowElement[] = [];
  for (const item of items) {
    const k = key(item);
    let row = byKey.get(k);
    if (row) byKey.delete(k);
    else {
      row = document.createElement('tr');
      row.dataset.key = k;
    }
    fill(row, item);
    rows.push(row);
  }
  // Keep the focused row's element when it stays (replaceChildren would blur it).
  for (const row of byKey.values()) row.remove();
  for (const row of body.querySelectorAll('tr:not([data-key])')) row.remove();
  rows.forEach((row, i) => {
    if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] ?? null);
  });
  if (items.length === 0) {
    const row = el('tr');
    row.append(el('td', empty.text, { colspan: String(empty.columns), class: 'empty' }));
    body.append(row);
  }
}

/** Sets a row's cells to `cells` (text, or an element), reusing the cells it has. */
export function setCells(row: HTMLTableRowElement, cells: readonly (string | Node | { text: string | Node; class?: string })[]): void {
  while (row.cells.length > cells.length) row.deleteCell(-1);
  cells.forEach((c, i) => {
    const td = row.cells[i] ?? row.insertCell();
    const spec = typeof c === 'string' || c instanceof Node ? { text: c } : c;
    if (typeof spec.text === 'string') {
      if (td.textContent !== spec.text || td.children.length > 0) td.textContent = spec.text;
    } else td.replaceChildren(spec.text);
    const cls = (c as { class?: string }).class ?? '';
    if (td.className !== cls) td.className = cls;
  });
}

/**
 * One focusable row per table (roving tabindex): Tab enters the table on the current row, the
 * arrow keys, j/k, Home and End move through the rows, Enter or Space calls `open`.
 */
export function rovingRows(body: HTMLTableSectionElement, open: (row: HTMLTableRowElement) => void): { refresh(): void; focusFirst(): void } {
  let current: string | undefined;
  const rows = () => [...body.rows].filter((r) => r.dataset.key !== undefined);
  const refresh = () => {
    const all = rows();
    if (!all.some((r) => r.dataset.key === current)) current = all[0]?.dataset.key;
    for (const r of all) r.tabIndex = r.dataset.key === current ? 0 : -1;
  };
  const focus = (r: HTMLTableRowElement | undefined) => {
    if (!r) return;
    current = r.dataset.key;
    refresh();
    r.focus();
  };
  body.addEventListener('focusin', (e) => {
    const r = (e.target as HTMLElement).closest('tr');
    if (r?.dataset.key !== undefined && r.dataset.key !== current) {
      current = r.dataset.key;
      refresh();
    }
  });
  body.addEventListener('keydown', (e) => {
    const r = (e.target as HTMLElement).closest('tr');
    if (!r || r !== e.target) return;
    const all = rows();
    const i = all.indexOf(r);
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        focus(all[Math.min(all.length - 1, i + 1)]);
        break;
      case 'ArrowUp':
      case 'k':
        focus(all[Math.max(0, i - 1)]);
        break;
      case 'Home':
        focus(all[0]);
        break;
      case 'End':
        focus(all[all.length - 1]);
        break;
      case 'Enter':
      case ' ':
        open(r);
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  body.addEventListener('click', (e) => {
    const r = (e.target as HTMLElement).closest('tr');
    if (r?.dataset.key !== undefined) {
      focus(r);
      open(r);
    }
  });
  return { refresh, focusFirst: () => focus(rows()[0]) };
}

/** A time of day, for "until" and "since" (local time). */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
