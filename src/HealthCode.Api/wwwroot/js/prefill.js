// The declaration form starts from what the service already knows (DESIGN §10 "Prefill", GET
// /api/v1/me/declaration/draft): the last declaration, the population register, the latest lab result, the account.
// Each field filled in gets a small note saying where it came from; the resident still checks every answer and submits.
// Only what the resident has not touched is filled in, and a note goes as soon as its field is changed. Today's
// temperature and symptoms are never filled in: they are measured anew.
//
// app.js calls prefillDeclaration() when it shows the form; everything else of the prefill lives here.

import * as api from './api.js';
import { setText } from './i18n.js';
import './prefill-i18n.js';

const $ = (id) => document.getElementById(id);

/** The inputs of the plain fields of a draft. */
const INPUTS = { name: 'decl-name', idNumber: 'decl-id', phone: 'decl-phone', region: 'decl-region' };

/** The fields the resident changed since the form was last reset: never overwritten, their notes gone. */
const touched = new Set();

/** The field of the draft an element of the form belongs to: `travel[0].from` → `travel`, `contact.suspectedCase` → `contact`. */
function draftField(el) {
    const path = el?.closest?.('[data-field]')?.dataset.field ?? '';
    return path.split(/[.[]/)[0];
}

function noteHost(field) {
    return field in INPUTS ? $(INPUTS[field]).closest('.field') : document.querySelector(`#declare-form fieldset[data-field="${field}"]`);
}

function removeNote(field) {
    noteHost(field)?.querySelector(':scope > .prefill-note')?.remove();
}

function clearPrefill() {
    touched.clear();
    for (const note of document.querySelectorAll('#view-declare .prefill-note, #view-declare .prefill-summary')) {
        note.remove();
    }
}

/** The note's text key and its values (the day as the service gives it, 2026-11-28, read alike in both languages). */
function noteText(field, lastDeclaredOn) {
    const source = field.source?.name ?? field.source?.code ?? '';
    switch (field.origin) {
        case 'last_declaration':
            return ['prefillFromLastDeclaration', { date: lastDeclaredOn ?? '' }];
        case 'population_register':
            return ['prefillFromRegister', { source }];
        case 'lab':
            return ['prefillFromLab', { lab: field.lab ?? '', source }];
        default:
            return ['prefillFromAccount', undefined];
    }
}

function addNote(name, field, lastDeclaredOn) {
    const host = noteHost(name);
    if (!host) {
        return;
    }
    removeNote(name);
    const note = document.createElement('p');
    note.className = 'prefill-note';
    note.dataset.origin = field.origin ?? '';
    const [key, params] = noteText(field, lastDeclaredOn);
    setText(note, key, params);
    // After the input (or the legend), before its hints and errors: read with the answer it explains.
    const anchor = name in INPUTS ? $(INPUTS[name]) : host.querySelector(':scope > legend');
    anchor.after(note);
}

/** `2026-11-28T08:30` in the phone's time, as a datetime-local input takes it. */
function localDateTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
        return '';
    }
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function applyContact(contact) {
    const form = $('declare-form');
    for (const name of ['confirmedCase', 'suspectedCase', 'closeContactNotice']) {
        form.elements[name].checked = contact?.[name] === true;
    }
}

function applyTravel(stays, addTravelRow) {
    if ($('travel-list').children.length > 0 || !Array.isArray(stays) || stays.length === 0) {
        return false;
    }
    for (const stay of stays) {
        const row = addTravelRow();
        row.querySelector('[data-part="region"]').value = stay?.region ?? '';
        row.querySelector('[data-part="from"]').value = stay?.from ?? '';
        row.querySelector('[data-part="to"]').value = stay?.to ?? '';
    }
    return true;
}

function applyLastTest(test, updateTestAt) {
    const radio = document.querySelector(`#declare-form input[name="testResult"][value="${test?.result === 'positive' ? 'positive' : 'negative'}"]`);
    const none = document.querySelector('#declare-form input[name="testResult"][value=""]');
    if (!test?.result || !none?.checked) {
        return false;
    }
    radio.checked = true;
    $('decl-test-at').value = localDateTime(test.at);
    updateTestAt();
    return true;
}

/**
 * Fills the declaration form of `personId` (null: the account's holder) from its draft, when the form still is that
 * person's by the time the draft arrives. `addTravelRow` and `updateTestAt` are the form's own (app.js). A draft that
 * cannot be had leaves the form as it is: the resident fills it in by hand, as before.
 */
export async function prefillDeclaration({ token, personId, addTravelRow, updateTestAt }) {
    const form = $('declare-form');
    const owner = personId ?? '';
    let draft;
    try {
        draft = await api.getDeclarationDraft(token, personId);
    } catch (error) {
        if (!(error instanceof api.ApiError)) {
            console.error(error);
        }
        return;
    }
    if (form.dataset.person !== owner || $('view-declare').hidden) {
        return; // The resident moved on to someone else's form, or away from it.
    }
    const fields = draft?.fields ?? {};
    const filled = [];
    for (const [name, id] of Object.entries(INPUTS)) {
        const field = fields[name];
        if (typeof field?.value === 'string' && !touched.has(name)) {
            $(id).value = field.value;
            filled.push([name, field]);
        }
    }
    if (fields.contact && !touched.has('contact')) {
        applyContact(fields.contact.value);
        filled.push(['contact', fields.contact]);
    }
    if (fields.travel && !touched.has('travel') && applyTravel(fields.travel.value, addTravelRow)) {
        filled.push(['travel', fields.travel]);
    }
    if (fields.lastTest && !touched.has('lastTest') && applyLastTest(fields.lastTest.value, updateTestAt)) {
        filled.push(['lastTest', fields.lastTest]);
    }
    for (const [name, field] of filled) {
        addNote(name, field, draft.lastDeclaredOn);
    }
    if (filled.some(([name]) => name !== 'phone') && !form.previousElementSibling?.classList.contains('prefill-summary')) {
        const summary = document.createElement('p');
        summary.className = 'prefill-summary';
        setText(summary, 'prefillSummary');
        form.before(summary);
    }
}

function wire() {
    const form = $('declare-form');
    // What the resident changes is theirs: never filled in again, and its note no longer says where it came from.
    const onChange = (event) => {
        const field = draftField(event.target);
        if (event.isTrusted && field) {
            touched.add(field);
            removeNote(field);
        }
    };
    form.addEventListener('input', onChange);
    form.addEventListener('change', onChange);
    // Adding or removing a stay is a change of the travel answer too.
    form.addEventListener('click', (event) => {
        if (event.target.closest?.('button')) {
            onChange(event);
        }
    });
    // A reset is a new person's form, or a logout: nothing of the last one's prefill stays.
    form.addEventListener('reset', clearPrefill);
}

wire();
