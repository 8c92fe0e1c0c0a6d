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
