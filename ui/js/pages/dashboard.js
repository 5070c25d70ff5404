// The dashboard: host use, instances by state, running operations, recent tasks (finished
// operations, which the daemon keeps for an hour), and the events seen since signing in.
import { get, list, session } from '../api.js';
import { h, replace, bytes, meter, progressOf, when, duration, table } from '../dom.js';
import { onEvent, recentEvents } from '../main.js';

export async function dashboardPage(main) {
  const host = h('section', { 'aria-labelledby': 'host-title' });
  const counts = h('section', { 'aria-labelledby': 'counts-title' });
  const operations = h('section', { 'aria-labelledby': 'ops-title' });
  const tasks = h('section', { 'aria-labelledby': 'tasks-title' });
  const events = h('section', { 'aria-labelledby': 'events-title' });
  replace(main, h('h1', {}, 'Dashboard'), host, counts, operations, tasks, events);

  const refreshHost = async () => {
    try {
      replace(host, h('h2', { id: 'host-title' }, 'Host'), hostCards(await get('/1.0/resources', {}, { project: false })));
    } catch (error) {
      replace(host, h('h2', { id: 'host-title' }, 'Host'), h('p', { class: 'muted' }, `Host figures are not available: ${error.message}`));
    }
  };
  const refreshInstances = async () => {
    const instances = await list('/1.0/instances');
    const byState = {};
    for (const instance of instances) byState[instance.state] = (byState[instance.state] || 0) + 1;
    replace(counts, h('h2', { id: 'counts-title' }, `Instances in ${session.project}`),
      h('div', { class: 'cards' },
        h('a', { class: 'card', href: '#/instances' }, h('div', { class: 'label' }, 'All'), h('div', { class: 'value', id: 'count-all' }, instances.length)),
        ['running', 'paused', 'stopped', 'crashed'].map((state) =>
          h('div', { class: 'card' }, h('div', { class: 'label' }, state), h('div', { class: 'value', id: `count-${state}` }, byState[state] || 0)))));
  };
  const refreshOperations = async () => {
    const all = await list('/1.0/operations');
    const running = all.filter((op) => op.status === 'running' || op.status === 'pending');
    replace(operations, h('h2', { id: 'ops-title' }, 'Running operations'),
      table([
        ['Operation', (op) => op.description],
        ['By', (op) => op.requestedBy, 'hide-narrow'],
        ['Progress', (op) => progressOf(op)],
      ], running, { empty: 'Nothing is running.', label: 'Running operations' }));
    const finished = all.filter((op) => !running.includes(op)).sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)));
    replace(tasks, h('h2', { id: 'tasks-title' }, 'Recent tasks'),
      table([
        ['Ended', (op) => when(op.updatedAt)],
        ['Operation', (op) => op.description],
        ['By', (op) => op.requestedBy, 'hide-narrow'],
        ['Result', (op) => [h('span', { class: `state ${op.status}` }, op.status), op.error ? h('span', { class: 'hint' }, ` ${op.error.message}`) : null]],
      ], finished.slice(0, 10), { empty: 'No tasks in the last hour.', label: 'Recent tasks' }));
  };
  const showEvents = () => {
    replace(events, h('h2', { id: 'events-title' }, 'Recent events'),
      table([
        ['When', (e) => when(e.timestamp)],
        ['Kind', (e) => e.type],
        ['What', describeEvent],
      ], recentEvents.slice(0, 15), { empty: 'No events since you signed in.', label: 'Recent events' }));
  };

  await Promise.all([refreshHost(), refreshInstances(), refreshOperations()]);
  showEvents();
  let pending = null;
  const stop = onEvent((event) => {
    showEvents();
    clearTimeout(pending);
    pending = setTimeout(() => { refreshInstances(); refreshOperations(); }, 300);
  });
  const timer = setInterval(refreshHost, 10000);
  return () => { stop(); clearInterval(timer); clearTimeout(pending); };
}

export function describeEvent(event) {
  if (event.lifecycle) {
    const l = event.lifecycle;
    return `${l.name}: ${l.action}${l.state ? ` → ${l.state}` : ''}${l.reason ? ` (${l.reason})` : ''}`;
  }
  if (event.operation) return `${event.operation.description}: ${event.operation.status}`;
  if (event.audit) return `${event.audit.actor} ${event.audit.action} ${event.audit.target || ''} (${event.audit.status})`;
  return event.type;
}

function hostCards(r) {
  const cpu = r.cpu || {};
  const memory = r.memory || {};
  const cards = [
    h('div', { class: 'card' }, h('div', { class: 'label' }, `CPU (${cpu.count ?? '?'} cores)`),
      h('div', { class: 'value' }, cpu.usagePercent == null ? '–' : `${cpu.usagePercent.toFixed(0)}%`),
      meter((cpu.usagePercent || 0) / 100, 'CPU use'),
      cpu.loadAverage ? h('div', { class: 'hint' }, `load ${[cpu.loadAverage.one, cpu.loadAverage.five, cpu.loadAverage.fifteen].map((l) => l.toFixed(2)).join(' ')}`) : null),
    h('div', { class: 'card' }, h('div', { class: 'label' }, 'Memory'),
      h('div', { class: 'value' }, bytes(memory.usedBytes)), meter(memory.usedBytes / memory.totalBytes, 'Memory use'),
      h('div', { class: 'hint' }, `of ${bytes(memory.totalBytes)}`)),
  ];
  for (const pool of r.storagePools || []) {
    cards.push(h('div', { class: 'card' }, h('div', { class: 'label' }, `Disk: pool ${pool.name}`),
      h('div', { class: 'value' }, bytes(pool.usedBytes)), meter(pool.usedBytes / pool.totalBytes, `Pool ${pool.name} use`),
      h('div', { class: 'hint' }, `of ${bytes(pool.totalBytes)}`)));
  }
  if (r.uptimeSeconds != null) cards.push(h('div', { class: 'card' }, h('div', { class: 'label' }, 'Uptime'), h('div', { class: 'value' }, duration(r.uptimeSeconds))));
  return h('div', { class: 'cards' }, cards);
}
