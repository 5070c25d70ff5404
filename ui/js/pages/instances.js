// Instances: the live list with actions, and the create form.
import { list, act, post, session } from '../api.js';
import { h, replace, table, stateBadge, when, busy, toast, confirmAction, field, fieldError } from '../dom.js';
import { onEvent } from '../main.js';

/** The actions each state allows, as the daemon does. */
export const actionsFor = {
  running: ['stop', 'restart', 'pause'],
  paused: ['resume', 'stop'],
  stopped: ['start', 'delete'],
  crashed: ['start', 'delete'],
  stopping: ['stop'],
};
const destructive = new Set(['stop', 'restart', 'delete']);

/** Runs a lifecycle action (asking first when it is destructive); resolves true when it ran. */
export async function runAction(name, action, button) {
  if (destructive.has(action)) {
    const text = action === 'delete'
      ? `Delete ${name} and its root disk? This cannot be undone.`
      : `${action === 'stop' ? 'Stop' : 'Restart'} ${name}? The guest is asked to shut down, and forced off after a while.`;
    if (!(await confirmAction(`${action[0].toUpperCase()}${action.slice(1)} ${name}?`, text, action === 'delete' ? 'Delete' : action[0].toUpperCase() + action.slice(1)))) return false;
  }
  return (await busy(button, async () => {
    if (action === 'delete') await act('DELETE', `/1.0/instances/${encodeURIComponent(name)}`);
    else await act('PUT', `/1.0/instances/${encodeURIComponent(name)}/state`, { action });
    toast(`${name}: ${action} done`);
    return true;
  })) === true;
}

export function actionButtons(instance, after = () => {}) {
  if (!session.can('operator')) return h('span', { class: 'muted' }, 'view only');
  return h('div', { class: 'actions' }, (actionsFor[instance.state] || []).map((action) => {
    const button = h('button', { type: 'button', class: destructive.has(action) ? 'secondary' : '', 'data-action': action, 'aria-label': `${action} ${instance.name}` }, action);
    button.addEventListener('click', async () => { if (await runAction(instance.name, action, button)) after(action); });
    return button;
  }));
}

export async function instancesPage(main) {
  const body = h('div', { id: 'instance-list' });
  replace(main,
    h('h1', {}, 'Instances', session.can('operator') ? h('a', { class: 'button', href: '#/instances/new', id: 'new-instance' }, 'Create instance') : null),
    body);
  const refresh = async () => {
    const instances = await list('/1.0/instances');
    replace(body, table([
      ['Name', (i) => h('a', { href: `#/instances/${encodeURIComponent(i.name)}`, 'data-instance': i.name }, i.name)],
      ['State', (i) => h('span', { 'data-state-of': i.name }, stateBadge(i.state))],
      ['CPUs', (i) => i.config?.cpus ?? '–', 'hide-narrow'],
      ['Memory', (i) => i.config?.memory ?? '–', 'hide-narrow'],
      ['Started', (i) => (i.state === 'running' ? when(i.startedAt) : '–'), 'hide-narrow'],
      ['Actions', (i) => actionButtons(i, refresh)],
    ], instances, { empty: 'No instances in this project yet.', label: 'Instances' }));
  };
  await refresh();
  let pending;
  const stop = onEvent((event) => {
    if (event.type !== 'lifecycle' && event.type !== 'operation') return;
    clearTimeout(pending);
    pending = setTimeout(refresh, 200);
  });
  return () => { stop(); clearTimeout(pending); };
}

const namePattern = /^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const sizePattern = /^\d+(\.\d+)?\s*(B|KiB|MiB|GiB|TiB|K|M|G|T|KB|MB|GB|TB)?$/i;
const sshKeyPattern = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$/;

/** What the form says, checked as the daemon would, before anything is sent. Pure: returns errors by field. */
export function validateCreate(values) {
  const errors = {};
  if (!namePattern.test(values.name)) errors.name = 'Letters, digits and -, starting with a letter, at most 63.';
  const cpus = Number(values.cpus);
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) errors.cpus = 'A whole number from 1 to 64.';
  if (!sizePattern.test(values.memory)) errors.memory = 'A size such as 512MiB or 2GiB.';
  if (values.boot === 'image' && !values.image) errors.image = 'Choose an image.';
  if (values.boot === 'cdrom' && !values.cdrom) errors.cdrom = 'Choose an ISO image.';
  if (values.boot === 'kernel' && !values.kernel) errors.kernel = 'Give the kernel’s path on the host.';
  if (values.rootSize && !sizePattern.test(values.rootSize)) errors.rootSize = 'A size such as 10GiB, or empty.';
  for (const line of values.disks) if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(,[a-z-]+=[^,\s]+)*$/.test(line)) { errors.disks = `“${line}” is not POOL/VOLUME.`; break; }
  const userData = values.userData.trim();
  if (userData && !/^(#cloud-config|#!|#cloud-config-archive|Content-Type: multipart\/)/.test(userData)) {
    errors.userData = 'Starts with #cloud-config, #! (a script), #cloud-config-archive or a MIME header.';
  }
  for (const key of values.sshKeys) if (!sshKeyPattern.test(key)) { errors.sshKeys = 'Each line is one OpenSSH public key (ssh-ed25519 AAAA… comment).'; break; }
  return errors;
}

/** The request body for `POST /1.0/instances` from valid form values. */
export function createBody(values) {
  const body = { name: values.name, cpus: Number(values.cpus), memory: values.memory.replace(/\s+/g, '') };
  if (values.boot === 'image') body.image = values.image;
  if (values.boot === 'cdrom') body.cdrom = values.cdrom;
  if (values.boot === 'kernel') {
    body.kernel = values.kernel;
    if (values.initrd) body.initrd = values.initrd;
    if (values.cmdline) body.cmdline = values.cmdline;
  }
  if (values.boot === 'image' && values.rootSize) body.rootSize = values.rootSize;
  if (values.disks.length) body.disks = values.disks;
  if (values.networks.length) body.nics = values.networks.map((name) => `network=${name}`);
  const cloudInit = {};
  if (values.userData.trim()) cloudInit.userData = values.userData;
  if (values.sshKeys.length) cloudInit.sshKeys = values.sshKeys;
  if (values.hostname) cloudInit.hostname = values.hostname;
  if (Object.keys(cloudInit).length) body.cloudInit = cloudInit;
  return body;
}

export async function createInstancePage(main) {
  const [images, networks] = await Promise.all([
    list('/1.0/images').catch(() => []),
    list('/1.0/networks').catch(() => []),
  ]);
  const imageLabel = (image) => `${(image.aliases || []).join(', ') || image.fingerprint.slice(0, 12)} (${image.virtualSize})`;
  const isISO = (image) => image.type === 'iso';
  // The fingerprint names an image however many aliases it has; the label shows them all.
  const imageRef = (image) => image.fingerprint;
  const input = (id, attrs = {}) => h('input', { id, name: id, ...attrs });
  const f = {
    name: input('name', { required: true, autocomplete: 'off', spellcheck: 'false' }),
    cpus: input('cpus', { type: 'number', min: 1, max: 64, value: '1' }),
    memory: input('memory', { value: '512MiB' }),
    boot: h('select', { id: 'boot', name: 'boot' },
      h('option', { value: 'image' }, 'Disk image'), h('option', { value: 'cdrom' }, 'ISO image in the CD-ROM drive'),
      h('option', { value: 'kernel' }, 'Kernel on the host (local administrator only)'), h('option', { value: 'none' }, 'Nothing (add disks later)')),
    image: h('select', { id: 'image', name: 'image' }, h('option', { value: '' }, '— choose —'),
      images.filter((i) => !isISO(i)).map((i) => h('option', { value: imageRef(i) }, imageLabel(i)))),
    cdrom: h('select', { id: 'cdrom', name: 'cdrom' }, h('option', { value: '' }, '— choose —'),
      images.filter(isISO).map((i) => h('option', { value: imageRef(i) }, imageLabel(i)))),
    rootSize: input('rootSize', { placeholder: 'as the image' }),
    kernel: input('kernel', { placeholder: '/path/to/vmlinuz' }),
    initrd: input('initrd'),
    cmdline: input('cmdline', { value: 'console=ttyS0' }),
    disks: h('textarea', { id: 'disks', name: 'disks', rows: 2, placeholder: 'default/data-volume' }),
    networks: h('select', { id: 'networks', name: 'networks', multiple: true, size: Math.min(4, Math.max(2, networks.length)) },
      networks.map((n) => h('option', { value: n.config.name }, `${n.config.name} (${n.config.kind})`))),
    userData: h('textarea', { id: 'userData', name: 'userData', rows: 6, placeholder: '#cloud-config\npackages: [nginx]' }),
    sshKeys: h('textarea', { id: 'sshKeys', name: 'sshKeys', rows: 2, placeholder: 'ssh-ed25519 AAAA… you@laptop' }),
    hostname: input('hostname', { placeholder: 'the instance’s name' }),
  };
  const problem = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'create' }, 'Create');
  const startAfter = h('input', { type: 'checkbox', id: 'start', checked: true });
  const groups = {
    image: h('div', { class: 'row' }, field('Image', f.image), field('Root disk size', f.rootSize, 'Optional; larger than the image.')),
    cdrom: field('ISO image', f.cdrom, 'The firmware boots it when the disks have nothing to boot.'),
    kernel: h('div', { class: 'row' }, field('Kernel', f.kernel), field('Initrd', f.initrd), field('Kernel command line', f.cmdline)),
  };
  const showBoot = () => { for (const [kind, group] of Object.entries(groups)) group.hidden = f.boot.value !== kind; };
  f.boot.addEventListener('change', showBoot);
  if (!images.some((i) => !isISO(i)) && images.some(isISO)) f.boot.value = 'cdrom';
  showBoot();

  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'create-title' },
    h('h1', { id: 'create-title' }, 'Create an instance'),
    h('div', { class: 'panel stack' },
      field('Name', f.name),
      h('div', { class: 'row' }, field('CPUs', f.cpus), field('Memory', f.memory)),
      field('Boot from', f.boot), groups.image, groups.cdrom, groups.kernel,
      field('More disks', f.disks, 'One pool volume per line: POOL/VOLUME.'),
      field('Networks', f.networks, networks.length ? 'Ctrl/⌘-click for several; none gives the guest no NIC.' : 'No networks yet.')),
    h('details', { class: 'panel' }, h('summary', {}, 'cloud-init'),
      h('div', { class: 'stack' },
        field('User data', f.userData, '#cloud-config YAML or a #! script.'),
        field('SSH public keys', f.sshKeys, 'One per line; for the image’s default user and the user joist.'),
        field('Hostname', f.hostname))),
    h('label', { class: 'inline' }, startAfter, 'Start it once created'),
    problem,
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/instances' }, 'Cancel')));

  const values = () => ({
    name: f.name.value.trim(), cpus: f.cpus.value, memory: f.memory.value.trim(), boot: f.boot.value,
    image: f.image.value, cdrom: f.cdrom.value, rootSize: f.rootSize.value.trim(),
    kernel: f.kernel.value.trim(), initrd: f.initrd.value.trim(), cmdline: f.cmdline.value.trim(),
    disks: lines(f.disks.value), networks: [...f.networks.selectedOptions].map((o) => o.value),
    userData: f.userData.value, sshKeys: lines(f.sshKeys.value), hostname: f.hostname.value.trim(),
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(problem);
    const current = values();
    const errors = validateCreate(current);
    let first = null;
    for (const [key, control] of Object.entries(f)) {
      fieldError(control, errors[key] || null);
      if (errors[key] && !first) first = control;
    }
    if (first) {
      if (first.closest('details')) first.closest('details').open = true;
      first.focus();
      return;
    }
    await busy(submit, async () => {
      try {
        await post('/1.0/instances', createBody(current));
      } catch (error) {
        replace(problem, h('p', { class: 'error-box' }, error.message));
        throw error;
      }
      toast(`${current.name} created`);
      if (startAfter.checked) await act('PUT', `/1.0/instances/${encodeURIComponent(current.name)}/state`, { action: 'start' });
      location.hash = `#/instances/${encodeURIComponent(current.name)}`;
    });
  });
  replace(main, form);
  f.name.focus();
}

function lines(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}
