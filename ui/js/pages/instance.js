// One instance: overview and configuration, consoles, snapshots, backups, hardware and graphs.
import { get, list, act, patch, session } from '../api.js';
import { h, replace, table, stateBadge, when, bytes, busy, toast, confirmAction, field, progressOf } from '../dom.js';
import { onEvent } from '../main.js';
import { actionButtons } from './instances.js';
import { serialConsole, graphicalConsole } from './console.js';
import { metricsCharts } from './charts.js';

const tabs = [
  ['overview', 'Overview'], ['console', 'Serial console'], ['display', 'Graphical console'], ['snapshots', 'Snapshots'],
  ['backups', 'Backups'], ['hardware', 'Disks and NICs'], ['graphs', 'Graphs'],
];

export async function instancePage(main, name, tab = 'overview') {
  const path = `/1.0/instances/${encodeURIComponent(name)}`;
  let instance = await get(path);
  const heading = h('h1', {}, name, h('span', { id: 'instance-state' }, stateBadge(instance.state)), h('span', { id: 'instance-actions' }));
  const content = h('div', { id: `tab-${tab}` });
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Instance' }, tabs.map(([id, label]) =>
    h('a', { href: `#/instances/${encodeURIComponent(name)}/${id}`, 'aria-current': id === tab ? 'page' : undefined }, label)));
  replace(main, h('p', {}, h('a', { href: '#/instances' }, '← Instances')), heading, nav, content);

  const refreshHeading = async () => {
    try { instance = await get(path); } catch (error) { if (error.status === 404) { location.hash = '#/instances'; } return; }
    replace(heading.querySelector('#instance-state'), stateBadge(instance.state));
    replace(heading.querySelector('#instance-actions'), actionButtons(instance, (action) => { if (action === 'delete') location.hash = '#/instances'; }));
  };
  await refreshHeading();
  const view = await ({ overview, console: consoleTab, display, snapshots, backups, hardware, graphs }[tab] || overview)(content, instance, path, refreshHeading);
  let pending;
  const stop = onEvent((event) => {
    if (event.lifecycle?.name !== name && !(event.operation?.resources || []).includes(path)) return;
    clearTimeout(pending);
    pending = setTimeout(async () => { await refreshHeading(); view?.refresh?.(instance); }, 200);
  });
  return () => { stop(); clearTimeout(pending); view?.close?.(); };
}

/** Settings that `PATCH …/config` takes, with a hint each. */
const editable = [
  ['cpus', 'CPUs', '1–64'], ['memory', 'Memory', 'e.g. 1GiB'], ['cdrom', 'CD-ROM image', 'an ISO image; empty ejects'],
  ['cmdline', 'Kernel command line', 'with a kernel only'], ['accel', 'Accelerator', 'auto, kvm or tcg'],
  ['display', 'Display', 'std (a screen for the graphical console) or none'],
];

async function overview(content, instance, path) {
  const render = (current) => {
    const config = current.config || {};
    const stopped = current.state === 'stopped' || current.state === 'crashed';
    const props = h('dl', { class: 'props' },
      h('dt', {}, 'State'), h('dd', {}, current.state, current.lastExit?.reason ? ` (last exit: ${current.lastExit.reason})` : ''),
      h('dt', {}, 'Project'), h('dd', {}, current.project),
      h('dt', {}, 'Machine'), h('dd', {}, `${config.machine || 'q35'}, accelerator ${current.accelerator || config.accel || 'auto'}`),
      h('dt', {}, 'CPUs'), h('dd', {}, config.cpus), h('dt', {}, 'Memory'), h('dd', {}, config.memory),
      h('dt', {}, 'Created'), h('dd', {}, when(current.createdAt)),
      current.startedAt && current.state === 'running' ? [h('dt', {}, 'Started'), h('dd', {}, when(current.startedAt))] : null,
      current.guest?.os?.prettyName ? [h('dt', {}, 'Guest OS'), h('dd', {}, current.guest.os.prettyName)] : null);
    const form = h('form', { class: 'stack', id: 'config-form' });
    const inputs = editable.map(([key, label, hint]) => {
      const value = config[key] ?? '';
      const control = h('input', { id: `config-${key}`, name: key, value: String(value), disabled: !stopped || !session.can('operator') });
      control.dataset.original = String(value);
      return [key, control, field(label, control, hint)];
    });
    const save = h('button', { type: 'submit', disabled: !stopped || !session.can('operator') }, 'Save configuration');
    form.append(h('div', { class: 'row' }, inputs.map(([, , element]) => element)),
      h('p', { class: 'hint' }, stopped ? 'Changes apply at the next start.' : 'Stop the instance to change its configuration.'),
      h('div', { class: 'actions' }, save));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const settings = inputs.filter(([, control]) => control.value !== control.dataset.original).map(([key, control]) => ({ key, value: control.value.trim() }));
      if (!settings.length) { toast('Nothing changed'); return; }
      await busy(save, async () => {
        await patch(`${path}/config`, { settings });
        toast('Configuration saved');
        render(await get(path));
      });
    });
    replace(content, h('section', { class: 'panel' }, h('h2', {}, 'Summary'), props),
      h('section', { class: 'panel' }, h('h2', {}, 'Configuration'), form));
  };
  render(instance);
  return { refresh: (current) => { if (!content.contains(document.activeElement) || document.activeElement.tagName === 'BUTTON') render(current); } };
}

async function consoleTab(content, instance) {
  const status = h('p', { class: 'status-line', id: 'console-status', role: 'status' }, 'Connecting…');
  content.append(status);
  if (instance.state !== 'running' && instance.state !== 'paused') status.textContent = 'The instance is not running; its console log is shown.';
  const close = await serialConsole(content, instance.name, (text) => { status.textContent = text; });
  return { close };
}

async function display(content, instance) {
  const status = h('p', { class: 'status-line', id: 'display-status', role: 'status' }, 'Connecting…');
  content.append(status);
  const config = instance.config || {};
  if ((config.display ?? (config.machine === 'microvm' ? 'none' : 'std')) === 'none') {
    status.textContent = 'This instance has no display: set display=std on the Overview tab while it is stopped.';
    return {};
  }
  if (instance.state !== 'running' && instance.state !== 'paused') {
    status.textContent = 'Start the instance to see its screen.';
    return {};
  }
  const close = graphicalConsole(content, instance.name, (text) => { status.textContent = text; });
  return { close };
}

async function snapshots(content, instance, path) {
  const body = h('div');
  const nameInput = h('input', { id: 'snapshot-name', name: 'snapshot', required: true, pattern: '[A-Za-z]([A-Za-z0-9\\-]*[A-Za-z0-9])?', placeholder: 'before-upgrade' });
  const stateful = h('input', { type: 'checkbox', id: 'snapshot-stateful' });
  const take = h('button', { type: 'submit', id: 'take-snapshot' }, 'Take snapshot');
  const form = h('form', { class: 'actions panel' }, field('Name', nameInput), h('label', { class: 'inline' }, stateful, 'With RAM (running instances)'), take);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!/^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(nameInput.value)) { toast('A snapshot name is letters, digits and -, starting with a letter.', { error: true }); nameInput.focus(); return; }
    await busy(take, async () => {
      await act('POST', `${path}/snapshots`, { name: nameInput.value, stateful: stateful.checked });
      toast(`Snapshot ${nameInput.value} taken`);
      nameInput.value = '';
      await refresh();
    });
  });
  const refresh = async () => {
    const items = await list(`${path}/snapshots`);
    replace(body, table([
      ['Name', (s) => h('span', { 'data-snapshot': s.name }, s.name, s.current ? h('span', { class: 'hint' }, ' (current)') : '')],
      ['Taken', (s) => when(s.createdAt)],
      ['Kind', (s) => (s.stateful ? `with RAM (${bytes(s.vmStateSize)})` : 'disks') + (s.scheduled ? ', scheduled' : ''), 'hide-narrow'],
      ['', (s) => session.can('operator') ? h('div', { class: 'actions' },
        button('Restore', async (b) => {
          if (!(await confirmAction(`Restore ${s.name}?`, `The instance's disks${s.stateful ? ' and RAM' : ''} go back to ${when(s.createdAt)}; later changes are lost.`, 'Restore'))) return;
          await busy(b, async () => { await act('POST', `${path}/snapshots/${encodeURIComponent(s.name)}/restore`, { force: instance.state === 'running' && !s.stateful }); toast(`Restored ${s.name}`); await refresh(); });
        }, `snapshot ${s.name}`),
        button('Delete', async (b) => {
          if (!(await confirmAction(`Delete snapshot ${s.name}?`, 'This cannot be undone.', 'Delete'))) return;
          await busy(b, async () => { await act('DELETE', `${path}/snapshots/${encodeURIComponent(s.name)}`); toast(`Deleted ${s.name}`); await refresh(); });
        }, `snapshot ${s.name}`)) : null],
    ], items, { empty: 'No snapshots yet.', label: 'Snapshots' }));
  };
  replace(content, session.can('operator') ? form : null, body);
  await refresh();
  return { refresh };
}

async function backups(content, instance, path) {
  const stores = (await list('/1.0/backup-stores', {}, { project: false }).catch(() => [])).map((s) => s.store?.name || s.name);
  const body = h('div');
  const store = h('select', { id: 'backup-store' }, stores.map((name) => h('option', { value: name }, name)));
  const create = h('button', { type: 'submit', id: 'create-backup' }, 'Back up now');
  const progress = h('div', { class: 'grow' });
  const form = h('form', { class: 'actions panel' }, field('Backup store', store), create, progress);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(create, async () => {
      try {
        await act('POST', `${path}/backups`, { store: store.value || undefined }, { onProgress: (op) => replace(progress, progressOf(op)) });
        toast('Backup done');
      } finally {
        replace(progress);
      }
      await refresh();
    });
  });
  const restore = async (backup, button, target) => {
    const asNew = target !== undefined;
    const text = asNew ? `A new, stopped instance ${target} is made from backup ${backup.id}.`
      : `The disks of ${instance.name} are overwritten with backup ${backup.id} (the instance must be stopped).`;
    if (!(await confirmAction(asNew ? `Restore as ${target}?` : 'Restore in place?', text, 'Restore'))) return;
    await busy(button, async () => {
      await act('POST', `${path}/backups/${encodeURIComponent(backup.id)}/restore`, asNew ? { as: target } : { inPlace: true });
      toast(asNew ? `Restored as ${target}` : 'Restored');
    });
  };
  const refresh = async () => {
    const items = (await list(`${path}/backups`)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    replace(body, table([
      ['Backup', (b) => h('span', { class: 'mono', 'data-backup': b.id }, b.id)],
      ['Taken', (b) => when(b.createdAt)],
      ['Kind', (b) => `${b.kind}, store ${b.store}`, 'hide-narrow'],
      ['Read / new', (b) => `${bytes(b.stats?.bytesRead)} / ${bytes(b.stats?.bytesNew)}`, 'hide-narrow'],
      ['', (b) => {
        if (!session.can('operator')) return null;
        const name = h('input', { 'aria-label': 'New instance name', placeholder: `${instance.name}-restored`, size: 14 });
        const inPlace = h('button', { type: 'button', class: 'secondary' }, 'Restore in place');
        const asNew = h('button', { type: 'button', class: 'secondary' }, 'Restore as');
        inPlace.addEventListener('click', () => restore(b, inPlace));
        asNew.addEventListener('click', () => {
          const target = name.value.trim() || `${instance.name}-restored`;
          if (!/^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(target)) { toast('An instance name is letters, digits and -.', { error: true }); name.focus(); return; }
          restore(b, asNew, target);
        });
        return h('div', { class: 'actions' }, inPlace, asNew, name);
      }],
    ], items, { empty: stores.length ? 'No backups yet.' : 'No backup store: an administrator adds one with joist backup-store create.', label: 'Backups' }));
  };
  replace(content, stores.length && session.can('operator') ? form : null, body);
  await refresh().catch((error) => replace(body, h('p', { class: 'muted' }, error.message)));
  return { refresh };
}

async function hardware(content, instance, path) {
  const operator = session.can('operator');
  const render = async () => {
    const current = await get(path);
    const disks = current.config?.disks || [];
    const nics = current.nics || [];
    const diskName = (d) => (d.volume ? `${d.volume.pool}/${d.volume.name}` : d.path || d.image || '–');
    const volumes = operator ? await list('/1.0/volumes').catch(() => []) : [];
    const networks = operator ? await list('/1.0/networks', {}, { project: false }).catch(() => []) : [];
    const attached = new Set(disks.map(diskName));
    const volume = h('select', { id: 'attach-volume' }, h('option', { value: '' }, '— volume —'),
      volumes.filter((v) => !attached.has(`${v.pool}/${v.name}`) && !(v.usedBy || []).length).map((v) => h('option', { value: `${v.pool}/${v.name}` }, `${v.pool}/${v.name} (${v.size})`)));
    const attach = h('button', { type: 'submit' }, 'Attach disk');
    const diskForm = h('form', { class: 'actions panel' }, field('Volume', volume), attach);
    diskForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!volume.value) { toast('Choose a volume.', { error: true }); volume.focus(); return; }
      await busy(attach, async () => { await act('POST', `${path}/disks`, { disk: volume.value }); toast(`Attached ${volume.value}`); await render(); });
    });
    const network = h('select', { id: 'add-nic-network' }, networks.map((n) => h('option', { value: n.config.name }, `${n.config.name} (${n.config.kind})`)));
    const add = h('button', { type: 'submit' }, 'Add NIC');
    const nicForm = h('form', { class: 'actions panel' }, field('Network', network), add);
    nicForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!network.value) { toast('Create a network first.', { error: true }); return; }
      await busy(add, async () => { await act('POST', `${path}/nics`, { nic: `network=${network.value}` }); toast('NIC added'); await render(); });
    });
    replace(content,
      h('h2', {}, 'Disks'),
      table([
        ['Disk', (d) => h('span', { class: 'mono' }, diskName(d))],
        ['Options', (d) => Object.entries(d).filter(([k]) => !['volume', 'path'].includes(k)).map(([k, v]) => `${k}=${v}`).join(', ') || '–', 'hide-narrow'],
        ['', (d) => (operator && d.volume ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Detach ${diskName(d)}`, onclick: async (event) => {
          if (!(await confirmAction(`Detach ${diskName(d)}?`, 'The volume stays in its pool.', 'Detach'))) return;
          await busy(event.target, async () => { await act('DELETE', `${path}/disks/${encodeURIComponent(d.volume.pool)}/${encodeURIComponent(d.volume.name)}`); toast('Detached'); await render(); });
        } }, 'Detach') : null)],
      ], disks, { empty: 'No disks.', label: 'Disks' }),
      operator ? diskForm : null,
      h('h2', {}, 'Network interfaces'),
      table([
        ['NIC', (n) => n.name],
        ['Network', (n) => n.network || n.mode],
        ['MAC', (n) => h('span', { class: 'mono' }, n.mac || '–'), 'hide-narrow'],
        ['Addresses', (n) => [...new Set([n.ip, ...(n.addresses || [])].filter(Boolean))].join(', ') || '–'],
        ['', (n) => (operator ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove NIC ${n.name}`, onclick: async (event) => {
          if (!(await confirmAction(`Remove ${n.name}?`, 'Its address and port forwards go with it.', 'Remove'))) return;
          await busy(event.target, async () => { await act('DELETE', `${path}/nics/${encodeURIComponent(n.name)}`); toast('NIC removed'); await render(); });
        } }, 'Remove') : null)],
      ], nics, { empty: 'No NICs.', label: 'NICs' }),
      operator ? nicForm : null);
  };
  await render();
  return {};
}

async function graphs(content, instance, path) {
  const body = h('div', { class: 'charts', id: 'charts' });
  replace(content, h('p', { class: 'hint' }, 'The last hour, sampled by joistd while the instance runs.'), body);
  const refresh = async () => {
    try { replace(body, metricsCharts(await get(`${path}/metrics`))); } catch (error) { replace(body, h('p', { class: 'muted' }, `No figures: ${error.message}`)); }
  };
  await refresh();
  const timer = setInterval(refresh, 10000);
  return { close: () => clearInterval(timer) };
}

/** A secondary button; `name` says what it acts on where the label alone is the same on every row. */
function button(label, handler, name) {
  const element = h('button', { type: 'button', class: 'secondary', 'data-action': label.toLowerCase(), 'aria-label': name ? `${label} ${name}` : undefined }, label);
  element.addEventListener('click', () => handler(element));
  return element;
}
