// Which emulated fal route a request is. Requests from the client configured with
// `proxyUrl: {url, when: 'always'}` carry the real fal URL in `x-fal-target-url`; curl users call
// the paths directly, the way they would call queue.fal.run and rest.fal.ai.

export type Route =
  | { name: 'submit'; endpoint: string }
  | { name: 'run'; endpoint: string }
  | { name: 'status' | 'stream' | 'result' | 'cancel'; app: string; requestId: string }
  | { name: 'initiate' | 'initiate-multipart' }
  | { name: 'upload'; token: string }
  | { name: 'upload-part'; token: string; part: number }
  | { name: 'upload-complete'; token: string }
  | { name: 'file'; path: string }
  | { name: 'stats' | 'reset-stats' | 'jobs' | 'index' }
  | { name: 'unknown'; why: string };

/** `fal-ai/ltx-2.3-quality/reference-video-to-video/lora/requests/<id>/status/stream` and friends. */
const REQUEST_PATH = /^\/(.+?)\/requests\/([^/]+)(\/status\/stream|\/status|\/cancel)?\/?$/;

export function routeOf(method: string, path: string, target: string | undefined): { route: Route; proxied: boolean } {
  if (path.startsWith('/_emulator/')) {
    if (path === '/_emulator/stats' && method === 'GET') return { route: { name: 'stats' }, proxied: false };
    if (path === '/_emulator/jobs' && method === 'GET') return { route: { name: 'jobs' }, proxied: false };
    if (path === '/_emulator/reset-stats' && method === 'POST') return { route: { name: 'reset-stats' }, proxied: false };
    return { route: { name: 'unknown', why: 'no such emulator route' }, proxied: false };
  }
  if (path.startsWith('/_upload/')) return { route: uploadRoute(method, path), proxied: false };
  if (path.startsWith('/files/') && (method === 'GET' || method === 'HEAD')) return { route: { name: 'file', path: safeDecode(path) }, proxied: false };
  if (target) {
    let url: URL;
    try { url = new URL(target); } catch { return { route: { name: 'unknown', why: `x-fal-target-url \`${target}\` is not a URL` }, proxied: true }; }
    const host = url.hostname;
    if (host === 'queue.fal.run') return { route: queueRoute(method, url.pathname), proxied: true };
    if (host === 'rest.fal.ai' || host === 'rest.alpha.fal.ai') return { route: storageRoute(method, url.pathname), proxied: true };
    if (host === 'fal.run' && method === 'POST') return { route: { name: 'run', endpoint: trim(url.pathname) }, proxied: true };
    return { route: { name: 'unknown', why: `the emulator does not serve ${host}` }, proxied: true };
  }
  if (path === '/' && method === 'GET') return { route: { name: 'index' }, proxied: false };
  if (path.startsWith('/storage/')) return { route: storageRoute(method, path), proxied: false };
  return { route: queueRoute(method, path), proxied: false };
}

function queueRoute(method: string, path: string): Route {
  const m = REQUEST_PATH.exec(path);
  if (m) {
    const app = m[1]!;
    const requestId = m[2]!;
    const tail = m[3] ?? '';
    if (tail === '/status' && method === 'GET') return { name: 'status', app, requestId };
    if (tail === '/status/stream' && method === 'GET') return { name: 'stream', app, requestId };
    if (tail === '/cancel' && method === 'PUT') return { name: 'cancel', app, requestId };
    if (tail === '' && method === 'GET') return { name: 'result', app, requestId };
    return { name: 'unknown', why: `${method} is not allowed on ${path}` };
  }
  const endpoint = trim(path);
  if (method === 'POST' && endpoint.includes('/')) return { name: 'submit', endpoint };
  return { name: 'unknown', why: `${method} ${path} is not a queue route` };
}

function storageRoute(method: string, path: string): Route {
  if (method === 'POST' && path === '/storage/upload/initiate') return { name: 'initiate' };
  if (method === 'POST' && path === '/storage/upload/initiate-multipart') return { name: 'initiate-multipart' };
  return { name: 'unknown', why: `${method} ${path} is not a storage route` };
}

function uploadRoute(method: string, path: string): Route {
  const parts = path.split('/').filter(Boolean); // ['_upload', token, (n|complete)?]
  const token = parts[1] ?? '';
  if (parts.length === 2 && method === 'PUT') return { name: 'upload', token };
  if (parts.length === 3 && parts[2] === 'complete' && method === 'POST') return { name: 'upload-complete', token };
  if (parts.length === 3 && /^\d+$/.test(parts[2]!) && method === 'PUT') return { name: 'upload-part', token, part: Number(parts[2]) };
  return { name: 'unknown', why: `${method} ${path} is not an upload route` };
}

function trim(path: string): string {
  return safeDecode(path).replace(/^\/+|\/+$/g, '');
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** `owner/app` (or `workflows/owner/app`) of an endpoint id, as fal's status/result URLs use. */
export function appOf(endpoint: string): string {
  const parts = endpoint.split('/');
  const n = parts[0] === 'workflows' || parts[0] === 'comfy' ? 3 : 2;
  return parts.slice(0, n).join('/');
}

/** Status/result/cancel are accepted with and without the endpoint's sub-path. */
export function appMatches(endpoint: string, given: string): boolean {
  return endpoint === given || endpoint.startsWith(given + '/') && given.split('/').length >= appOf(endpoint).split('/').length;
}
