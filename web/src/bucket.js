// What the console's screens share (the recording and snapshot ones most): labelled fields, a
// job's facts and events, the window of the file lists, and a page that refreshes itself until
// it is left.
import { call } from './api.js';
import { h, clear, notify, clearNotice, errorText } from './dom.js';
import { guard, write, kindOf } from './permissions.js';
import { showFieldError } from './templates.js';

let timer = null;
let leaving = [];

// Leaving a page: its refresh stops and what it started (players) is let go.
export function leaveBucketPage() {
  if (timer) clearInterval(timer);
  timer = null;
  for (const f of leaving) f();
  leaving = [];
}

// Runs refresh now and every `ms` until the page is left; an error stops it and is shown.
export async function keepRefreshed(refresh, ms) {
  leaveBucketPage();
  const run = async () => {
    try {
      await refresh();
    } catch (err) {
      notify(errorText(err));
      leaveBucketPage();
    }
  };
  await run();
  timer = setInterval(run, ms);
}

// Something to let go of when the page is left (an hls.js player).
export function onLeave(f) {
  leaving.push(f);
}

// A labelled control with a place for the API's message about it (data-error-for = its name).
export function field(label, id, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('span', { class: 'hint' }, hint) : null, h('div', { class: 'field-error', 'data-error-for': id }));
}

export const text = (id, attrs = {}) => h('input', { id, name: id, ...attrs });

export const choice = (id, options) => h('select', { id, name: id },
  options.map(([value, label]) => h('option', { value }, label ?? value)));

// The form's value of control `id`, trimmed.
export const valueOf = (form, id) => form.querySelector(`#${CSS.escape(id)}`).value.trim();

// A form that calls `action` with what build(form) returns, places the API's message next to the
// field it names (or at the top), and calls done(answer) when it went through. `prefix`: what
// its fields' ids add to the API's names.
export function apiForm(id, title, fields, action, build, done, prefix = '') {
  const form = h('form', { class: 'card', id, novalidate: true }, h('h2', {}, title), fields,
    h('div', { class: 'actions' }, guard(h('button', { type: 'submit', id: `${id}-button` }, title), kindOf(action))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    form.querySelectorAll('.field-error').forEach((e) => clear(e));
    try {
      const answer = await write(action, () => call(action, build(form)));
      if (answer) await done(answer);
    } catch (err) {
      if (!showFieldError(form, err, prefix)) notify(errorText(err));
    }
  });
  return form;
}

// A button that runs an API write and then `after`; a refusal shows as a notice.
export function actionButton(label, attrs, action, params, after) {
  return guard(h('button', { ...attrs, onclick: async () => {
    if (attrs.confirm && !confirm(attrs.confirm)) return;
    clearNotice();
    try {
      if (await write(action, () => call(action, params))) await after();
    } catch (err) {
      notify(errorText(err));
    }
  } }, label), kindOf(action));
}

// Facts as a definition list; [label, value, id?] each (a missing value shows as —).
export function facts(rows) {
  return h('dl', { class: 'facts' }, rows.filter(Boolean).map(([label, value, id]) =>
    [h('dt', {}, label), h('dd', { id, class: typeof value === 'string' && /^[a-z]+:\/\//.test(value) ? 'mono' : undefined }, value ?? '—')]));
}

// A job's event log (Floe's Events, any family), newest first.
export function eventItems(events) {
  return (events || []).slice().reverse().map((e) =>
    h('li', {}, h('time', {}, e.Time), ' ', h('strong', {}, e.Event), e.Detail ? ` — ${e.Detail}` : ''));
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// The newest `span_ms` of a job's life, as a StartTime/EndTime pair the file lists accept.
export function recentWindow(createTime, spanMs) {
  const end = Date.now() + 60000; // a file that closes while the list is read still falls in
  const created = Date.parse(createTime);
  const start = Math.max(end - spanMs, Number.isNaN(created) ? end - spanMs : created - 60000);
  return { StartTime: iso(start), EndTime: iso(end) };
}

// The status of a record or snapshot job, drawn like a transcoding job's (s1 = running).
export function statusBadge(status, id) {
  return h('span', { id, class: `status ${status === 'started' ? 's1' : status === 'paused' ? 's2' : 's0'}` }, status);
}

// What the job's process wrote on its node (Process.Files, FileBytes), e.g. "3 pictures, 0.12 MB".
export function written(p, noun) {
  return p.Files ? `${p.Files} ${noun}, ${(p.FileBytes / 1e6).toFixed(2)} MB` : null;
}
