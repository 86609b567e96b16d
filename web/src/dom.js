// A few DOM helpers. Every text the API returns goes in through textContent, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A notice at the top of the page: an API error shows its code and message.
export function notify(message, kind = 'error') {
  const box = document.getElementById('notice');
  clear(box).append(h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message));
}

export function clearNotice() {
  clear(document.getElementById('notice'));
}

export function errorText(err) {
  return err.code ? `${err.code}: ${err.message}` : String(err.message || err);
}
