// Recording: record templates (a file per format: m3u8 slices, mp4, flv), record jobs (submit
// into one of the account's buckets), and one job's recordings with a player (hls.js for m3u8,
// the browser itself for fragmented mp4; flv is offered as a download, as browsers do not play it).
import Hls from 'hls.js';
import { call } from './api.js';
import { h, clear } from './dom.js';
import { pager } from './templates.js';
import {
  apiForm, actionButton, field, text, choice, valueOf, facts, eventItems, keepRefreshed, onLeave,
  recentWindow, statusBadge, written,
} from './bucket.js';

const FORMATS = {
  m3u8: { OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}', SliceOssObjectPrefix: 'record/{JobId}/{UnixTimestamp}_{Sequence}', SliceDuration: '30' },
  mp4: { OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}' },
  flv: { OssObjectPrefix: 'record/{JobId}/{Sequence}_{EscapedStartTime}_{EscapedEndTime}' },
};
const FOUR_DAYS_MS = 4 * 24 * 3600 * 1000; // ListLiveRecordFiles' widest window

function formatsText(list) {
  return (list || []).map((f) => [f.Format, f.SliceDuration ? `${f.SliceDuration} s slices` : null,
    f.CycleDuration ? `a file every ${f.CycleDuration} s` : null].filter(Boolean).join(' ')).join(' · ');
}

function templateForm(root) {
  const formatSet = (fmt) => h('fieldset', { id: `format-${fmt}` },
    h('legend', {}, h('label', {}, h('input', { type: 'checkbox', id: `record-${fmt}`, checked: fmt === 'm3u8' }), ` ${fmt}`)),
    field('OssObjectPrefix', `${fmt}.OssObjectPrefix`, text(`${fmt}.OssObjectPrefix`, { value: FORMATS[fmt].OssObjectPrefix })),
    fmt === 'm3u8' ? field('SliceOssObjectPrefix', 'm3u8.SliceOssObjectPrefix', text('m3u8.SliceOssObjectPrefix', { value: FORMATS.m3u8.SliceOssObjectPrefix })) : null,
    fmt === 'm3u8' ? field('SliceDuration', 'm3u8.SliceDuration', text('m3u8.SliceDuration', { value: '30', inputmode: 'numeric' }), 'seconds, 5–30') : null,
    field('CycleDuration', `${fmt}.CycleDuration`, text(`${fmt}.CycleDuration`, { inputmode: 'numeric' }), 'seconds per file; empty: 6 hours'));
  const build = (form) => {
    const formats = [];
    for (const fmt of Object.keys(FORMATS)) {
      if (!form.querySelector(`#record-${fmt}`).checked) continue;
      const f = { Format: fmt };
      for (const key of ['OssObjectPrefix', 'SliceOssObjectPrefix', 'SliceDuration', 'CycleDuration']) {
        const control = form.querySelector(`#${CSS.escape(`${fmt}.${key}`)}`);
        if (!control || !control.value.trim()) continue;
        f[key] = /Duration$/.test(key) ? Number(control.value.trim()) : control.value.trim();
      }
      formats.push(f);
    }
    return { Name: valueOf(form, 'template.Name'), RecordFormat: formats };
  };
  // Its ids start with "template." (the job form beside it has a Name too).
  return apiForm('new-record-template', 'Create record template',
    [field('Name', 'template.Name', text('template.Name')),
      h('div', { class: 'field-error', 'data-error-for': 'template.RecordFormat' }),
      Object.keys(FORMATS).map(formatSet)],
    'CreateLiveRecordTemplate', build, () => renderRecording(root), 'template.');
}

function submitForm(root, templates) {
  const build = (form) => {
    const params = {
      Name: valueOf(form, 'Name'),
      TemplateId: valueOf(form, 'TemplateId'),
      StreamInput: { Type: 'rtmp', Url: valueOf(form, 'StreamInput.Url') },
      RecordOutput: { Type: 'oss', Bucket: valueOf(form, 'RecordOutput.Bucket') },
    };
    if (valueOf(form, 'NotifyUrl')) params.NotifyUrl = valueOf(form, 'NotifyUrl');
    return params;
  };
  return apiForm('submit-record-job', 'Submit record job',
    [field('Name', 'Name', text('Name')),
      field('Template', 'TemplateId', choice('TemplateId', templates.map((t) => [t.TemplateId, `${t.Name} (${formatsText(t.RecordFormatList)})`]))),
      field('Input URL', 'StreamInput.Url', text('StreamInput.Url', { placeholder: 'rtmp://host/app/stream' })),
      field('Bucket', 'RecordOutput.Bucket', text('RecordOutput.Bucket'), 'one of this account\'s buckets (the operator adds them: floe admin bucket add)'),
      field('Notify URL', 'NotifyUrl', text('NotifyUrl'), 'optional: a JSON POST for each file and at the end')],
    'SubmitLiveRecordJob', build, (done) => { location.hash = `#/recording/${done.JobId}`; });
}

export async function renderRecording(root, query = {}) {
  const q = { PageNo: 1, PageSize: 20, ...query };
  const [tpls, jobs] = await Promise.all([
    call('ListLiveRecordTemplates', { PageSize: 100 }),
    call('ListLiveRecordJobs', q),
  ]);
  const templates = tpls.RecordTemplateList || [];
  clear(root).append(
    h('div', { class: 'toolbar' }, h('h2', {}, 'Record jobs')),
    h('table', { class: 'list', id: 'record-jobs' },
      h('thead', {}, h('tr', {}, ['Name', 'JobId', 'Status', 'Template', 'Input', 'Bucket', 'Created'].map((c) => h('th', {}, c)))),
      h('tbody', {}, (jobs.LiveRecordJobs || []).map((j) => h('tr', { 'data-job-id': j.JobId },
        h('td', {}, h('a', { href: `#/recording/${j.JobId}` }, j.Name)),
        h('td', { class: 'mono' }, j.JobId),
        h('td', {}, statusBadge(j.Status)),
        h('td', {}, j.TemplateName || j.TemplateId),
        h('td', { class: 'mono' }, (j.StreamInput || {}).Url),
        h('td', {}, (j.RecordOutput || {}).Bucket),
        h('td', {}, j.CreateTime))))),
    pager(q, jobs.TotalCount, 'record jobs', (n) => renderRecording(root, { ...q, PageNo: n })),
    h('div', { class: 'toolbar' }, h('h2', {}, 'Record templates')),
    h('table', { class: 'list', id: 'record-templates' },
      h('thead', {}, h('tr', {}, ['Name', 'TemplateId', 'Formats', 'Created', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, templates.map((t) => h('tr', { 'data-template-id': t.TemplateId },
        h('td', {}, t.Name), h('td', { class: 'mono' }, t.TemplateId), h('td', {}, formatsText(t.RecordFormatList)),
        h('td', {}, t.CreateTime),
        h('td', {}, t.Type === 'system' ? null : actionButton('Delete', { class: 'danger small', confirm: `Delete template ${t.Name}?` },
          'DeleteLiveRecordTemplate', { TemplateId: t.TemplateId }, () => renderRecording(root, q))))))),
    templates.length ? submitForm(root, templates) : h('p', { class: 'hint' }, 'Create a record template to submit a job.'),
    templateForm(root));
}

// Plays one recording: m3u8 through hls.js (or natively), mp4 in the <video>; flv is downloaded.
function play(box, file) {
  clear(box);
  box.append(h('h3', {}, `${file.Format} · ${file.StartTime} – ${file.EndTime}`));
  if (file.Format === 'flv') {
    box.append(h('p', { class: 'hint' }, 'Browsers do not play FLV: ', h('a', { href: file.RecordUrl, download: '' }, 'download it'), ' (ffplay and VLC play it).'));
    return;
  }
  const video = h('video', { id: 'record-video', controls: true, muted: true, playsinline: true });
  video.dataset.src = file.RecordUrl;
  box.append(video);
  video.muted = true;
  if (file.Format === 'm3u8' && Hls.isSupported()) {
    const hls = new Hls();
    hls.loadSource(file.RecordUrl);
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    onLeave(() => hls.destroy());
  } else {
    video.src = file.RecordUrl;
    video.play().catch(() => {});
  }
}

export async function renderRecordJob(root, id) {
  clear(root);
  const head = h('div', { class: 'card', id: 'record-job-head' });
  const player = h('div', { class: 'preview', id: 'record-player' }, h('p', { class: 'hint' }, 'Choose a recording below to play it.'));
  const files = h('tbody', {});
  const events = h('ol', { class: 'events', id: 'record-events' });
  root.append(head,
    h('div', { class: 'card' }, h('h2', {}, 'Recordings'), player,
      h('table', { class: 'list', id: 'record-files' },
        h('thead', {}, h('tr', {}, ['Format', 'Start', 'End', 'Duration', 'Size', 'Picture', ''].map((c) => h('th', {}, c)))), files)),
    h('div', { class: 'card' }, h('h2', {}, 'Events'), events));
  const refresh = async () => {
    const job = (await call('GetLiveRecordJob', { JobId: id })).RecordJob;
    const p = job.Process || {};
    clear(head).append(
      h('div', { class: 'toolbar' }, h('h2', {}, job.Name), statusBadge(job.Status, 'record-job-status')),
      facts([
        ['JobId', job.JobId],
        ['Process', p.State, 'record-job-state'],
        ['Written', written(p, 'files'), 'record-job-written'],
        ['Input', (job.StreamInput || {}).Url],
        ['Bucket', (job.RecordOutput || {}).Bucket],
        ['Template', `${job.TemplateName} (${job.TemplateId})`],
        job.NotifyUrl ? ['Notify URL', job.NotifyUrl] : null,
        ['Created', job.CreateTime],
      ]));
    events.replaceChildren(...eventItems(job.Events));
    const list = await call('ListLiveRecordFiles', { 'JobIds.1': id, PageSize: 30, SortBy: 'desc', ...recentWindow(job.CreateTime, FOUR_DAYS_MS) });
    files.replaceChildren(...(list.Files || []).map((f) => h('tr', { 'data-record-id': f.RecordId },
      h('td', {}, f.Format), h('td', {}, f.StartTime), h('td', {}, f.EndTime), h('td', {}, `${Number(f.Duration).toFixed(1)} s`),
      h('td', {}, f.Size !== undefined ? `${(f.Size / 1e6).toFixed(2)} MB` : '—'),
      h('td', {}, f.Width ? `${f.Width}×${f.Height}` : '—'),
      h('td', {},
        f.RecordUrl ? h('button', { class: 'small', onclick: () => play(player, f) }, 'Play') : h('span', { class: 'hint' }, 'no link (bucket gone)'),
        ' ',
        actionButton('Delete', { class: 'danger small', confirm: 'Delete this recording and its files?' },
          'DeleteLiveRecordFiles', { 'RecordIds.1': f.RecordId, RemoveFile: 'true' }, refresh)))));
  };
  await keepRefreshed(refresh, 3000);
}
