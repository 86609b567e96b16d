// Jobs: the list with status, the submit form (template, input and backup input, LiveCenter
// domain or output URL, immediate or timed), stop and delete.
import { call } from './api.js';
import { h, clear, notify, clearNotice, errorText } from './dom.js';
import { guard, write } from './permissions.js';
import { showFieldError, pager } from './templates.js';
import { field } from './bucket.js';

export const STATUS = { 0: 'not started', 1: 'running', 2: 'stopped' };

export async function stopJob(id) {
  return write('SendLiveTranscodeJobCommand', () => call('SendLiveTranscodeJobCommand', { JobId: id, Command: 'stop' }));
}

export async function deleteJob(id) {
  return write('DeleteLiveTranscodeJob', () => call('DeleteLiveTranscodeJob', { JobId: id }));
}

const utc = (local) => (local ? new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

async function submitForm(root) {
  const templates = (await call('ListLiveTranscodeTemplates', { PageSize: 100 })).TemplateContentList;
  const form = h('form', { class: 'card', id: 'submit-job', novalidate: true },
    h('h2', {}, 'Submit a job'),
    field('Name', 'Name', h('input', { id: 'Name' })),
    field('Template', 'TemplateId', h('select', { id: 'TemplateId' },
      templates.map((t) => h('option', { value: t.TemplateId }, `${t.Name} (${t.Category})`)))),
    field('Input URL', 'StreamInput.InputUrl', h('input', { id: 'StreamInput.InputUrl', placeholder: 'rtmp://host/app/stream' }), 'rtmp://, srt:// or an HLS .m3u8'),
    field('Backup input URL', 'StreamInput.BackupInputUrl', h('input', { id: 'StreamInput.BackupInputUrl' }), 'optional'),
    field('Output', 'TranscodeOutput.Type', h('select', { id: 'TranscodeOutput.Type' },
      h('option', { value: 'LiveCenter' }, 'LiveCenter domain'), h('option', { value: 'rtmp' }, 'RTMP URL'))),
    field('Domain or output URL', 'TranscodeOutput.Target', h('input', { id: 'TranscodeOutput.Target' }), 'a LiveCenter DomainName, or rtmp://… for an RTMP output'),
    field('Start', 'StartMode', h('select', { id: 'StartMode' }, h('option', { value: '0' }, 'immediately'), h('option', { value: '1' }, 'at a time'))),
    field('Start time', 'TimedConfig.StartTime', h('input', { id: 'TimedConfig.StartTime', type: 'datetime-local' }), 'timed jobs, your local time'),
    field('End time', 'TimedConfig.EndTime', h('input', { id: 'TimedConfig.EndTime', type: 'datetime-local' }), 'optional'),
    h('div', { class: 'actions' }, guard(h('button', { type: 'submit', id: 'submit-job-button' }, 'Submit'), 'job')));
  // The API names output errors after the field it read.
  const alias = { 'TranscodeOutput.DomainName': 'TranscodeOutput.Target', 'TranscodeOutput.OutputUrl': 'TranscodeOutput.Target' };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    const v = (id) => form.querySelector(`#${CSS.escape(id)}`).value.trim();
    const type = v('TranscodeOutput.Type');
    const output = type === 'LiveCenter' ? { Type: type, DomainName: v('TranscodeOutput.Target') } : { Type: type, OutputUrl: v('TranscodeOutput.Target') };
    const input = { Type: v('StreamInput.InputUrl').startsWith('srt:') ? 'srt' : /\.m3u8/.test(v('StreamInput.InputUrl')) ? 'hls' : 'rtmp', InputUrl: v('StreamInput.InputUrl') };
    if (v('StreamInput.BackupInputUrl')) input.BackupInputUrl = v('StreamInput.BackupInputUrl');
    const params = { Name: v('Name'), TemplateId: v('TemplateId'), StartMode: v('StartMode'), StreamInput: input, TranscodeOutput: output };
    if (v('StartMode') === '1') params.TimedConfig = { StartTime: utc(v('TimedConfig.StartTime')), EndTime: utc(v('TimedConfig.EndTime')) };
    try {
      const done = await write('SubmitLiveTranscodeJob', () => call('SubmitLiveTranscodeJob', params));
      if (done) location.hash = `#/jobs/${done.JobId}`;
    } catch (err) {
      const code = err.code.replace(/^InvalidParam\.(TranscodeOutput\.(DomainName|OutputUrl))$/, (m, f) => `InvalidParam.${alias[f]}`);
      if (!showFieldError(form, { ...err, code, message: err.message })) notify(errorText(err));
    }
  });
  root.append(form);
}

export async function renderJobs(root, query = {}) {
  clear(root);
  const q = { PageNo: 1, PageSize: 20, ...query };
  const page = await call('ListLiveTranscodeJobs', q);
  const rows = page.JobList.map((j) => h('tr', { 'data-job-id': j.JobId },
    h('td', {}, h('a', { href: `#/jobs/${j.JobId}` }, j.Name)),
    h('td', { class: 'mono' }, j.JobId),
    h('td', {}, h('span', { class: `status s${j.Status}` }, STATUS[j.Status] || j.Status)),
    h('td', {}, j.TemplateName || j.TemplateId),
    h('td', { class: 'mono' }, (j.StreamInput || {}).InputUrl),
    h('td', {}, j.CreateTime),
    h('td', {},
      j.Status === 1 ? guard(h('button', { class: 'small', onclick: async () => {
        try {
          if (await stopJob(j.JobId)) renderJobs(root, q);
        } catch (err) { notify(errorText(err)); }
      } }, 'Stop'), 'job') : null,
      guard(h('button', { class: 'danger small', onclick: async () => {
        if (!confirm(`Delete job ${j.Name}?`)) return;
        try {
          if (await deleteJob(j.JobId)) renderJobs(root, q);
        } catch (err) { notify(errorText(err)); }
      } }, 'Delete'), 'job'))));
  root.append(
    h('div', { class: 'toolbar' }, h('h2', {}, 'Jobs'),
      h('select', { id: 'job-status-filter', onchange: (ev) => renderJobs(root, { ...q, Status: ev.target.value, PageNo: 1 }) },
        ['', '0', '1', '2'].map((s) => h('option', { value: s, selected: String(q.Status ?? '') === s }, s === '' ? 'any status' : STATUS[s])))),
    h('table', { class: 'list', id: 'jobs' },
      h('thead', {}, h('tr', {}, ['Name', 'JobId', 'Status', 'Template', 'Input', 'Created', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)),
    pager(q, page.TotalCount, 'jobs', (n) => renderJobs(root, { ...q, PageNo: n })));
  await submitForm(root);
}
