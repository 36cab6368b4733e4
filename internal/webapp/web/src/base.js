// The server's URL prefix, "/" or, behind JupyterHub or another proxy,
// e.g. "/user/alice/": the page carries it, and every request and link of
// the app lives under it.
export const base = (document.body && document.body.dataset.baseUrl) || '/';

// appURL is the path p of the app (with or without its leading slash)
// under the prefix.
export const appURL = (p) => base + p.replace(/^\/+/, '');

// appPath is the page's path relative to the prefix, with a leading slash.
export function appPath() {
  const p = location.pathname;
  return p.startsWith(base) ? '/' + p.slice(base.length) : p;
}
