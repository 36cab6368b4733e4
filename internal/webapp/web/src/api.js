// REST calls to kernel serve: the contents, sessions and kernels APIs of
// jupyter_server. Requests carry the login cookie; those that change state
// echo the _xsrf cookie in the X-XSRFToken header, as jupyter_server asks.

import { appURL } from './base.js';

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function xsrf() {
  const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export function encodePath(path) {
  return path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

// parseExact is JSON.parse that keeps integers beyond 2^53 (a notebook's
// metadata or outputs may hold them) as they were written: they come back
// as raw JSON values, which JSON.stringify writes unchanged, where browsers
// have JSON.rawJSON (Chromium 114, Firefox 135, Safari 18.4); elsewhere
// they round, as they did before.
function parseExact(text) {
  if (typeof JSON.rawJSON !== 'function') return JSON.parse(text);
  return JSON.parse(text, (key, value, context) =>
    (typeof value === 'number' && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source) ? JSON.rawJSON(context.source) : value));
}

export async function call(method, url, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-XSRFToken'] = xsrf();
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(appURL(url), init);
  } catch (e) {
    throw new APIError(0, 'the server cannot be reached');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? parseExact(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new APIError(res.status, (data && data.message) || text || res.statusText);
  return data;
}

export const contents = {
  get: (path, { content = true, type, format } = {}) => {
    const q = new URLSearchParams({ content: content ? '1' : '0' });
    if (type) q.set('type', type);
    if (format) q.set('format', format);
    return call('GET', `/api/contents/${encodePath(path)}?${q}`);
  },
  save: (path, model) => call('PUT', `/api/contents/${encodePath(path)}`, model),
  newUntitled: (dir, type, ext) => call('POST', `/api/contents/${encodePath(dir)}`, { type, ext }),
  rename: (path, newPath) => call('PATCH', `/api/contents/${encodePath(path)}`, { path: newPath }),
  remove: (path) => call('DELETE', `/api/contents/${encodePath(path)}`),
  checkpoint: (path) => call('POST', `/api/contents/${encodePath(path)}/checkpoints`),
};

export const sessions = {
  list: () => call('GET', '/api/sessions'),
  create: (path) => call('POST', '/api/sessions', {
    path, type: 'notebook', name: path.split('/').pop(), kernel: { name: 'nmfkernel' },
  }),
  remove: (id) => call('DELETE', `/api/sessions/${id}`),
};

export const kernels = {
  get: (id) => call('GET', `/api/kernels/${id}`),
  interrupt: (id) => call('POST', `/api/kernels/${id}/interrupt`),
  restart: (id) => call('POST', `/api/kernels/${id}/restart`),
  shutdown: (id) => call('DELETE', `/api/kernels/${id}`),
};
