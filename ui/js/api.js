// The REST API and event stream, exactly as the CLI uses them: bearer token over TLS, JSON bodies,
// 202 + operation for long work. WebSockets carry the token as a subprotocol (browsers cannot set
// headers on them): `joist` plus `joist.bearer.<base64url token>`.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const storageKey = 'joist.token';

export const session = {
  token: sessionStorage.getItem(storageKey) || localStorage.getItem(storageKey) || '',
  project: sessionStorage.getItem('joist.project') || 'default',
  /** `GET /1.0`: name, role and project of the token. */
  identity: null,

  signIn(token, remember) {
    this.token = token;
    sessionStorage.setItem(storageKey, token);
    if (remember) localStorage.setItem(storageKey, token);
  },
  signOut() {
    this.token = '';
    this.identity = null;
    sessionStorage.removeItem(storageKey);
    localStorage.removeItem(storageKey);
  },
  setProject(project) {
    this.project = project;
    sessionStorage.setItem('joist.project', project);
  },
  get role() { return this.identity?.role || 'viewer'; },
  can(role) {
    const order = ['viewer', 'operator', 'admin'];
    return order.indexOf(this.role) >= order.indexOf(role);
  },
};

function url(path, query = {}) {
  const target = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(key, value);
  }
  return target;
}

/** Calls the API; resolves to the decoded JSON (or null for 204), rejects with ApiError. */
export async function request(method, path, { body, query, project = true, raw = false, headers = {} } = {}) {
  const q = project ? { project: session.project, ...query } : (query || {});
  const init = { method, headers: { Authorization: `Bearer ${session.token}`, ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url(path, q), init);
  if (!response.ok) throw await errorOf(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function errorOf(response) {
  let code = 'error', message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error) ({ code, message } = body.error);
  } catch { /* not JSON */ }
  if (response.status === 401 && session.identity) window.dispatchEvent(new CustomEvent('joist:unauthenticated'));
  return new ApiError(response.status, code, message);
}

export const get = (path, query, options = {}) => request('GET', path, { query, ...options });
export const post = (path, body, options = {}) => request('POST', path, { body, ...options });
export const put = (path, body, options = {}) => request('PUT', path, { body, ...options });
export const patch = (path, body, options = {}) => request('PATCH', path, { body, ...options });
export const del = (path, options = {}) => request('DELETE', path, options);

/** Every item of a paged list (`{items, next}`); plain arrays pass through. */
export async function list(path, query = {}, options = {}) {
  const first = await get(path, query, options);
  if (Array.isArray(first)) return first;
  const items = [...(first?.items || [])];
  let next = first?.next;
  while (next) {
    const page = await get(path, { ...query, after: next }, options);
    items.push(...(page.items || []));
    next = page.next;
  }
  return items;
}

/** Waits for an operation to end; resolves to it when it succeeded, rejects with its error. */
export async function finish(operation, onProgress) {
  let current = operation;
  while (current && !['succeeded', 'failed', 'cancelled'].includes(current.status)) {
    onProgress?.(current);
    current = await request('GET', `/1.0/operations/${current.id}/wait`, { query: { timeout: 2 }, project: false });
  }
  if (current?.status === 'failed') throw new ApiError(500, current.error?.code || 'failed', current.error?.message || `${current.description} failed`);
  if (current?.status === 'cancelled') throw new ApiError(409, 'cancelled', `${current.description} was cancelled`);
  return current;
}

/** A request that may answer 202 with an operation: waits for it. */
export async function act(method, path, body, { onProgress } = {}) {
  const response = await request(method, path, { body, raw: true });
  const text = await response.text();
  const result = text ? JSON.parse(text) : null;
  return response.status === 202 ? finish(result, onProgress) : result;
}

function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The subprotocols that authenticate a WebSocket. */
export function socketProtocols() {
  return ['joist', `joist.bearer.${base64url(session.token)}`];
}

/** A wss:// URL for an API path. */
export function socketURL(path, query = {}) {
  const target = url(path, query);
  target.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return target.toString();
}

/**
 * Why joistd refused a WebSocket, from its close event: a refusal closes it at once with
 * 4000 + the HTTP status and the API's message. Null for any other ending.
 */
export function refusal(event) {
  if (event.code < 4400 || event.code > 4599) return null;
  return { status: event.code - 4000, message: event.reason || `refused with HTTP ${event.code - 4000}` };
}

export function openSocket(path, query = {}) {
  const socket = new WebSocket(socketURL(path, query), socketProtocols());
  socket.binaryType = 'arraybuffer';
  return socket;
}

/**
 * The event stream (`/1.0/events`), reconnecting with backoff while signed in. `listener` gets each
 * event; returns a function that stops it.
 */
export function watchEvents(listener, onStatus = () => {}) {
  let socket, stopped = false, delay = 500, timer;
  const connect = () => {
    if (stopped || !session.token) return;
    socket = openSocket('/1.0/events');
    socket.onopen = () => { delay = 500; onStatus(true); };
    socket.onmessage = (message) => {
      try { listener(JSON.parse(message.data)); } catch (error) { console.warn('bad event', error); }
    };
    socket.onclose = (event) => {
      onStatus(false);
      if (stopped) return;
      // A refusal (token revoked, project gone) will not pass by retrying at once.
      if (refusal(event)) delay = 15000;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  };
  connect();
  return () => { stopped = true; clearTimeout(timer); socket?.close(); };
}

/** Uploads a file as the body of a POST with progress (fetch has no upload progress; XHR does). */
export function upload(path, file, query, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url(path, { project: session.project, ...query }));
    xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* empty */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body?.error?.code || 'error', body?.error?.message || `upload failed: ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted'));
    xhr.send(file);
  });
}
