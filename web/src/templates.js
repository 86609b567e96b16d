// Templates: the list with the API's filters and paging, the create and edit form with every
// field of TemplateConfig (the API's validation message shown next to its field), delete, and
// system templates shown read-only.
import { call } from './api.js';
import { h, clear, notify, clearNotice, errorText } from './dom.js';
import { guard, write } from './permissions.js';

export const VIDEO_FIELDS = [
  ['Codec', 'select', ['', 'H.264', 'H.265']],
  ['Width', 'number'], ['Height', 'number'], ['Fps', 'number'], ['Bitrate', 'number', null, 'kbit/s'],
  ['Gop', 'number', null, 'frames'], ['Profile', 'select', ['', '1', '2', '3'], '1 baseline, 2 main, 3 high'],
];
export const AUDIO_FIELDS = [
  ['Codec', 'select', ['', 'AAC', 'MP3']], ['Bitrate', 'number', null, 'kbit/s'],
  ['Samplerate', 'select', ['', '22050', '32000', '44100', '48000', '88200', '96000']], ['Channels', 'select', ['', '1', '2']],
  ['Profile', 'select', ['', 'aac_low', 'aac_he', 'aac_he_v2', 'aac_ld']],
];
const TYPES = ['normal', 'narrow-band', 'audio-only', 'origin'];

function input(id, kind, options, value, disabled) {
  if (kind === 'select') {
    return h('select', { id, name: id, disabled }, options.map((o) => h('option', { value: o, selected: String(value ?? '') === o }, o || '—')));
  }
  return h('input', { id, name: id, type: kind === 'number' ? 'text' : kind, inputmode: kind === 'number' ? 'numeric' : undefined, value: value ?? '', disabled });
}

// A labelled field with a place for its validation message (data-error-for = the API's name).
function field(label, id, kind, options, value, hint, disabled) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    input(id, kind, options, value, disabled),
    hint ? h('span', { class: 'hint' }, hint) : null,
    h('div', { class: 'field-error', 'data-error-for': id }));
}

// InvalidParam.VideoParams.Height → the message goes under that field; true when placed. A form
// whose ids carry a prefix (two forms on one page with a field of the same name) passes it.
export function showFieldError(form, err, prefix = '') {
  form.querySelectorAll('.field-error').forEach((e) => clear(e));
  const m = /^(?:InvalidParam|MissingParameter)\.?(.*)$/.exec(err.code || '');
  // MissingParameter names its field in the message only: 'The input parameter "Name" that …'.
  const field = (m && m[1]) || (err.code === 'MissingParameter' && (/parameter "([^"]+)"/.exec(err.message || '') || [])[1]);
  const name = field ? prefix + field : null;
  const slot = name && form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!slot) return false;
  slot.textContent = err.message;
  const control = form.querySelector(`#${CSS.escape(name)}`);
  if (control) control.setAttribute('aria-invalid', 'true');
  return true;
}

function configFrom(form, keepEmpty) {
  const config = {};
  for (const [group, fields] of [['VideoParams', VIDEO_FIELDS], ['AudioParams', AUDIO_FIELDS]]) {
    const params = {};
    for (const [name] of fields) {
      const v = form.querySelector(`#${group}\\.${name}`).value.trim();
      if (v !== '' || keepEmpty) params[name] = v;
    }
    if (Object.keys(params).length) config[group] = params;
  }
  return config;
}

export async function renderTemplateForm(root, id) {
  clear(root);
  clearNotice();
  let tpl = { Name: '', Type: 'normal', Category: 'customized', TemplateConfig: {} };
  if (id) tpl = (await call('GetLiveTranscodeTemplate', { TemplateId: id })).TemplateContent;
  const ro = tpl.Category === 'system';
  const cfg = tpl.TemplateConfig || {};
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, id ? (ro ? `System template ${tpl.Name} (read-only)` : `Edit ${tpl.Name}`) : 'New template'),
    field('Name', 'Name', 'text', null, tpl.Name, '1–128 characters', ro),
    field('Type', 'Type', 'select', TYPES, tpl.Type, null, ro || !!id),
    h('fieldset', {}, h('legend', {}, 'VideoParams'),
      VIDEO_FIELDS.map(([n, k, o, hint]) => field(n, `VideoParams.${n}`, k, o, (cfg.VideoParams || {})[n], hint, ro))),
    h('fieldset', {}, h('legend', {}, 'AudioParams'),
      AUDIO_FIELDS.map(([n, k, o, hint]) => field(n, `AudioParams.${n}`, k, o, (cfg.AudioParams || {})[n], hint, ro))),
    h('div', { class: 'actions' },
      ro ? null : guard(h('button', { type: 'submit', id: 'save-template' }, id ? 'Save' : 'Create'), 'template'),
      h('a', { href: '#/templates', class: 'button secondary' }, 'Back')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    const name = form.querySelector('#Name').value;
    try {
      const done = await write(id ? 'UpdateLiveTranscodeTemplate' : 'CreateLiveTranscodeTemplate', () => (id
        ? call('UpdateLiveTranscodeTemplate', { TemplateId: id, Name: name, TemplateConfig: configFrom(form, true) })
        : call('CreateLiveTranscodeTemplate', { Name: name, Type: form.querySelector('#Type').value, TemplateConfig: configFrom(form, false) })));
      if (done) location.hash = '#/templates';
    } catch (err) {
      if (!showFieldError(form, err)) notify(errorText(err));
    }
  });
  root.append(form);
}

// Previous / page N of M / Next, for a list answered with TotalCount.
export function pager(q, total, noun, go) {
  const pages = Math.max(1, Math.ceil(total / q.PageSize));
  return h('div', { class: 'pager' },
    h('button', { class: 'secondary small', disabled: q.PageNo <= 1, onclick: () => go(q.PageNo - 1) }, '‹ Previous'),
    h('span', {}, `Page ${q.PageNo} of ${pages} · ${total} ${noun}`),
    h('button', { class: 'secondary small', disabled: q.PageNo >= pages, onclick: () => go(q.PageNo + 1) }, 'Next ›'));
}

export async function renderTemplates(root, query) {
  clear(root);
  const q = { PageNo: 1, PageSize: 10, ...query };
  const filters = h('form', { class: 'filters', id: 'template-filters' },
    h('select', { name: 'Type' }, ['', ...TYPES].map((t) => h('option', { value: t, selected: q.Type === t }, t || 'any type'))),
    h('select', { name: 'VideoCodec' }, ['', 'H.264', 'H.265'].map((t) => h('option', { value: t, selected: q.VideoCodec === t }, t || 'any codec'))),
    h('select', { name: 'Category' }, ['', 'system', 'customized'].map((t) => h('option', { value: t, selected: q.Category === t }, t || 'any category'))),
    h('input', { name: 'KeyWord', placeholder: 'name or id', value: q.KeyWord || '' }),
    h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = Object.fromEntries(new FormData(filters));
    renderTemplates(root, { ...f, PageNo: 1, PageSize: q.PageSize });
  });
  const page = await call('ListLiveTranscodeTemplates', q);
  const rows = page.TemplateContentList.map((t) => {
    const v = (t.TemplateConfig || {}).VideoParams || {};
    const del = t.Category === 'system' ? null : guard(h('button', {
      class: 'danger small',
      onclick: async () => {
        if (!confirm(`Delete template ${t.Name}?`)) return;
        clearNotice();
        try {
          if (await write('DeleteLiveTranscodeTemplate', () => call('DeleteLiveTranscodeTemplate', { TemplateId: t.TemplateId }))) {
            renderTemplates(root, q);
          }
        } catch (err) {
          notify(errorText(err)); // e.g. in use by a job that is not stopped
        }
      },
    }, 'Delete'), 'template');
    return h('tr', { 'data-template-id': t.TemplateId },
      h('td', {}, h('a', { href: `#/templates/${t.TemplateId}` }, t.Name)),
      h('td', { class: 'mono' }, t.TemplateId), h('td', {}, t.Type), h('td', {}, t.Category),
      h('td', {}, [v.Codec, v.Width && v.Height ? `${v.Width}×${v.Height}` : v.Height ? `${v.Height}p` : v.Width, v.Fps && `${v.Fps} fps`, v.Bitrate && `${v.Bitrate} kbit/s`].filter(Boolean).join(' · ')),
      h('td', {}, t.CreateTime), h('td', {}, del));
  });
  root.append(
    h('div', { class: 'toolbar' }, h('h2', {}, 'Templates'),
      guard(h('button', { id: 'new-template', onclick: () => { location.hash = '#/templates/new'; } }, 'New template'), 'template')),
    filters,
    h('table', { class: 'list', id: 'templates' },
      h('thead', {}, h('tr', {}, ['Name', 'TemplateId', 'Type', 'Category', 'Video', 'Created', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)),
    pager(q, page.TotalCount, 'templates', (n) => renderTemplates(root, { ...q, PageNo: n })));
}
