// Small DOM helpers: building elements, formatting values, toasts and confirmations.

/** Creates an element: h('a', {href: '#/x', class: 'c'}, 'text', child…). `on*` attributes are listeners. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'value') element.value = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A table from rows; `columns` are [heading, row => cell] pairs. */
export function table(columns, rows, { empty = 'Nothing here yet.', label } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label },
      h('thead', {}, h('tr', {}, columns.map(([heading, , cls]) => h('th', { scope: 'col', class: cls }, heading)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell, cls]) => h('td', { class: cls }, cell(row))))))));
}

export function stateBadge(state) {
  return h('span', { class: `state ${state || ''}` }, state || 'unknown');
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
/** 1536 → "1.5 KiB". */
export function bytes(value) {
  if (value === null || value === undefined || isNaN(value)) return '–';
  let n = Number(value), unit = 0;
  while (Math.abs(n) >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return `${n >= 100 || unit === 0 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`;
}

/** "2026-12-01T05:33:20Z" → local date and time. */
export function when(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleString();
}

/** Seconds → "3d 4h", "5m 2s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const parts = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  const out = [];
  let rest = s;
  for (const [size, unit] of parts) {
    if (rest >= size || (unit === 's' && !out.length)) { out.push(`${Math.floor(rest / size)}${unit}`); rest %= size; }
    if (out.length === 2) break;
  }
  return out.join(' ');
}

/** A meter (0…1) with a label for screen readers. */
export function meter(fraction, label) {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return h('div', { class: `meter${pct >= 90 ? ' high' : ''}`, role: 'meter', 'aria-label': label, 'aria-valuenow': Math.round(pct), 'aria-valuemin': 0, 'aria-valuemax': 100 },
    h('span', { style: `width:${pct.toFixed(1)}%` }));
}

/** Operation progress as a <progress> element (indeterminate without a total). */
export function progressOf(operation) {
  const p = operation.progress;
  const attrs = { class: 'progress', max: 100, 'aria-label': operation.description };
  if (p && p.total) attrs.value = Math.min(100, Math.round((p.done / p.total) * 100));
  const text = p ? (p.unit === 'bytes' ? `${bytes(p.done)}${p.total ? ' of ' + bytes(p.total) : ''}` : `${p.done}${p.total ? '/' + p.total : ''}`) : '';
  return h('div', {}, h('progress', attrs), h('div', { class: 'hint' }, [p && p.stage, text].filter(Boolean).join(' · ')));
}

export function toast(message, { error = false } = {}) {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast${error ? ' error' : ''}`, role: error ? 'alert' : undefined }, message);
  box.append(item);
  setTimeout(() => item.remove(), error ? 9000 : 4000);
}

/** Asks before something destructive; resolves true when confirmed. */
export function confirmAction(title, text, confirmLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    dialog.querySelector('button[value="cancel"]').focus();
  });
}

/** Runs an action from a button: disables it meanwhile, reports failure as a toast. */
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    toast(error.message || String(error), { error: true });
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Marks a form field invalid (or valid, with message null) for people and screen readers. */
export function fieldError(input, message) {
  const id = `${input.id || input.name}-error`;
  let note = document.getElementById(id);
  if (message) {
    if (!note) {
      note = h('span', { id, class: 'field-error' });
      input.insertAdjacentElement('afterend', note);
    }
    note.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
  } else {
    note?.remove();
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  return !message;
}

/** A labelled form field: field('CPUs', h('input', {...}), 'hint'). */
export function field(label, input, hint) {
  return h('label', {}, label, input, hint ? h('span', { class: 'hint' }, hint) : null);
}
