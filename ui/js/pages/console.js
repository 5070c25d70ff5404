// The serial console (xterm.js) and the graphical console (noVNC), both over authenticated
// WebSockets to joistd. Viewers watch; operators type (the daemon enforces it; the UI only says so).
import { get, openSocket, refusal, socketURL, socketProtocols, session } from '../api.js';
import { h } from '../dom.js';

/** Mounts a serial console in `container`; returns a function that closes it. */
export async function serialConsole(container, name, status) {
  if (!window.XTermMod) {
    container.append(h('p', { class: 'error-box' }, 'The terminal emulator is not installed on the host (Debian node-xterm; scripts/ui-vendor).'));
    return () => {};
  }
  const readOnly = !session.can('operator');
  const term = new window.XTermMod.Terminal({
    rendererType: 'dom', cols: 100, rows: 30, scrollback: 2000, disableStdin: readOnly, convertEol: false,
    fontFamily: '"DejaVu Sans Mono", ui-monospace, monospace', fontSize: 14,
  });
  const screen = h('div', { class: 'terminal', id: 'serial-terminal', role: 'region', 'aria-label': `Serial console of ${name}` });
  container.append(screen);
  term.open(screen);
  const decoder = new TextDecoder();
  // What the guest printed before we connected, then the live stream.
  try {
    const history = await get(`/1.0/instances/${encodeURIComponent(name)}/console/log`, {}, { raw: true });
    term.write(decoder.decode(new Uint8Array(await history.arrayBuffer()), { stream: true }));
  } catch { /* no history yet */ }
  const socket = openSocket(`/1.0/instances/${encodeURIComponent(name)}/console`, { project: session.project });
  const encoder = new TextEncoder();
  socket.onopen = () => status(readOnly ? 'Connected, view only (your role is viewer).' : 'Connected. Type to use the console.');
  socket.onclose = (event) => {
    const refused = refusal(event);
    status(refused ? `The console was refused: ${refused.message}` : event.reason ? `Disconnected: ${event.reason}.` : 'Disconnected.');
  };
  socket.onerror = () => status('The console could not connect.');
  socket.onmessage = (message) => term.write(decoder.decode(new Uint8Array(message.data), { stream: true }));
  term.on('data', (data) => { if (!readOnly && socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data)); });
  term.focus();
  return () => { socket.close(); term.dispose(); };
}

/** Mounts the graphical console (noVNC) in `container`; returns a function that closes it. */
export function graphicalConsole(container, name, status) {
  const RFB = window.NoVNCMod?.default;
  if (!RFB) {
    container.append(h('p', { class: 'error-box' }, 'The VNC client is not installed on the host (Debian novnc; scripts/ui-vendor).'));
    return () => {};
  }
  const screen = h('div', { id: 'vnc-screen', role: 'region', 'aria-label': `Screen of ${name}` });
  container.append(h('div', { class: 'vnc' }, screen));
  const url = socketURL(`/1.0/instances/${encodeURIComponent(name)}/vnc`, { project: session.project });
  const rfb = new RFB(screen, url, { wsProtocols: socketProtocols(), shared: true });
  rfb.viewOnly = !session.can('operator');
  rfb.scaleViewport = true;
  rfb.background = '#000';
  rfb.addEventListener('connect', () => status(rfb.viewOnly ? 'Connected, view only (your role is viewer).' : 'Connected. Click the screen to use keyboard and mouse.'));
  rfb.addEventListener('disconnect', (event) => status(event.detail?.clean ? 'Disconnected.' : 'The graphical console could not connect (is the instance running with a display?).'));
  return () => { try { rfb.disconnect(); } catch { /* already closed */ } };
}
