// What this key may not do, learnt from Forbidden.RAM answers: a write that was refused once
// disables every button of the same kind of action for the rest of the session (the page stays
// usable for what the key may do).
import { notify } from './dom.js';

const refused = new Set();

// The kind a write action belongs to: "template" or "job".
export function kindOf(action) {
  return action.includes('Template') ? 'template' : 'job';
}

export function mayWrite(kind) {
  return !refused.has(kind);
}

function update(button) {
  const allowed = mayWrite(button.dataset.writeKind);
  button.disabled = !allowed;
  if (!allowed) button.title = 'Not allowed for this AccessKey (Forbidden.RAM)';
}

// Runs a write; a Forbidden.RAM disables its kind and says so (resolving to undefined).
export async function write(action, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err.code !== 'Forbidden.RAM') throw err;
    refused.add(kindOf(action));
    notify(`This AccessKey may not call ${action} (Forbidden.RAM): ${err.message} Writes of this kind are disabled.`);
    document.querySelectorAll('[data-write-kind]').forEach(update);
    return undefined;
  }
}

// A button for writes of `kind`: disabled (with a reason) once that kind was refused.
export function guard(button, kind) {
  button.dataset.writeKind = kind;
  update(button);
  return button;
}
