// The resident page: log in with an SMS code, declare, show the colour and a QR code that renews
// itself before its short-lived token expires (DESIGN §2, §4.1, §5); declare for, show and print the
// codes of family members without a phone (DESIGN §8).

import * as api from './api.js';
import { drawQr, readClaims } from './code-qr.js';
import { clearDataUse, initDataUse, renderDataUse } from './data-use.js';
import { formatClock, formatDay, formatInstant, formatTime } from './dates.js';
import { initDisputes, renderDisputes, resetDisputes } from './disputes.js';
import { fieldMessage, language, locale, localized, setLanguage, setText, t, translate } from './i18n.js';
import { prefillDeclaration } from './prefill.js';
import { initRegions, provinceName, refreshRegionNames, renderRegions } from './regions.js';
import './resident-i18n.js';

const SESSION_KEY = 'hc.session';
/** Only if the service's answer lacks `resendAfterSeconds` (an older service): its default resend interval. */
const DEFAULT_RESEND_SECONDS = 30;
const MIN_REFRESH_MS = 5000;
const RETRY_MS = 10000;
const DEFAULT_LIFETIME_MS = 60000;
const SYMBOLS = { green: '✓', yellow: '!', red: '✕' };

const $ = (id) => document.getElementById(id);

const state = {
    /** @type {{token: string, expiresAt: string, phone: string} | null} */
    session: readSession(),
    /** The last `GET /me/code` (or declaration) answer. */
    code: null,
    devCode: null,
    submitting: false,
    /** Whose code the page shows and declares for: null for the account's holder, else a family member's personId. */
    personId: null,
    /** The family members, from `GET /me/dependants`. */
    dependants: [],
};

const current = () => state.dependants.find((d) => d.personId === state.personId) ?? null;

// ---- session ---------------------------------------------------------------------------------

function readSession() {
    try {
        const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
        if (session?.token && Date.parse(session.expiresAt) > Date.now()) {
            return session;
        }
    } catch {
        // A damaged entry is the same as no session.
    }
    return null;
}

function saveSession(session) {
    state.session = session;
    try {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    } catch {
        // Kept in memory only: the resident logs in again after a reload.
    }
}

function endSession(messageKey) {
    state.session = null;
    state.code = null;
    state.personId = null;
    state.dependants = [];
    renderPeople();
    resetDisputes();
    $('family-list').replaceChildren();
    clearDataUse();
    try {
        sessionStorage.removeItem(SESSION_KEY);
    } catch {
        // Nothing stored.
    }
    stopQr();
    clearQr();
    // A shared phone: the next person must not see this person's answers.
    $('declare-form').reset();
    $('dependant-form').reset();
    $('travel-list').replaceChildren();
    updateTestAt();
    refreshRegionNames();
    clearErrors($('declare-form'));
    clearErrors($('dependant-form'));
    showView('login');
    showMessage(messageKey, {}, messageKey === 'loggedOut' ? 'info' : 'error');
}

// ---- messages and errors ---------------------------------------------------------------------

function showMessage(key, params = {}, kind = 'info', detail = '') {
    const box = $('message');
    box.dataset.kind = kind;
    box.classList.add('shown');
    setText($('message-text'), key, params);
    $('message-detail').textContent = detail;
}

/** True while the banner says the network failed (errNetwork) or the QR could not be refreshed (errQr). */
const showsTrouble = () => $('message').dataset.kind === 'error' && ['errNetwork', 'errQr'].includes($('message-text').dataset.i18n);

function clearMessage() {
    const box = $('message');
    box.classList.remove('shown');
    setText($('message-text'), null);
    $('message-detail').textContent = '';
}

/** Tells the resident what went wrong and what to do next; returns false if the session ended. */
function explain(error, fallbackKey = 'errUnknown') {
    if (!(error instanceof api.ApiError)) {
        console.error(error);
        showMessage('errUnknown', { status: '-' }, 'error');
        return true;
    }
    if (error.kind === 'network') {
        showMessage('errNetwork', {}, 'error');
    } else if (error.status === 401) {
        endSession('errSession');
        return false;
    } else if (error.status === 429) {
        showMessage('errRateLimited', {}, 'error');
    } else if (error.problem?.code === 'identity_bound_elsewhere') {
        showMessage('errBoundElsewhere', { phone: error.problem.heldBy ?? '' }, 'error');
    } else if (error.status >= 500) {
        showMessage('errServer', {}, 'error');
    } else {
        showMessage(fallbackKey, { status: error.status }, 'error', error.problem?.detail ?? '');
    }
    return true;
}

/**
 * The element a problem-details `field` path (`idNumber`, `travel[0].from`, `contact.suspectedCase`)
 * belongs to: the exact `data-field`, else its nearest parent path (`travel[0]`, `travel`).
 */
function findField(form, path) {
    const fields = [...form.querySelectorAll('[data-field]')];
    let candidate = String(path ?? '').replace(/^\$\.?/, '').toLowerCase();
    while (candidate) {
        const match = fields.find((el) => el.dataset.field.toLowerCase() === candidate);
        if (match) {
            return match;
        }
        const cut = Math.max(candidate.lastIndexOf('.'), candidate.lastIndexOf('['));
        if (cut <= 0) {
            break;
        }
        candidate = candidate.slice(0, cut);
    }
    return null;
}

function fieldLabel(el) {
    const label = el.labels?.[0] ?? el.closest('.field')?.querySelector(':scope > label, :scope > legend');
    const text = ((label ?? el.querySelector?.('legend'))?.textContent ?? '').replace('*', '').trim();
    const row = el.closest('.travel-row')?.querySelector('.travel-row-title')?.textContent;
    return row && !el.classList.contains('travel-row') ? `${row} · ${text}` : text || row || '';
}

function focusTarget(el) {
    return el.matches('input, select, textarea') ? el : el.querySelector('input, select, textarea') ?? el;
}

function showFieldError(el, message) {
    const container = el.closest('.field') ?? el;
    const errorEl = container.querySelector(':scope > .field-error');
    container.classList.add('has-error');
    if (el.matches('input, select, textarea')) {
        el.setAttribute('aria-invalid', 'true');
    }
    if (errorEl) {
        errorEl.hidden = false;
        errorEl.textContent = errorEl.textContent ? `${errorEl.textContent} ${message}` : message;
    }
}

/**
 * The field errors shown on each form: `{field, code, message}` from problem details, or
 * `{field, key}` found by the page itself. Kept so that a language switch re-renders them.
 */
const formErrors = new Map();

function clearErrorMarks(form) {
    for (const el of form.querySelectorAll('.has-error')) {
        el.classList.remove('has-error');
    }
    for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
    }
    for (const el of form.querySelectorAll('.field-error')) {
        el.hidden = true;
        el.textContent = '';
    }
    if (form.id === 'declare-form') {
        $('form-summary').hidden = true;
        $('form-summary-list').replaceChildren();
    }
}

function clearErrors(form) {
    formErrors.delete(form.id);
    clearErrorMarks(form);
}

/** Puts each error next to its field (and, on the declaration, in the summary); returns how many. */
function setErrors(form, errors, { summary = false, focus = true } = {}) {
    formErrors.set(form.id, { errors, summary });
    return renderErrors(form, focus);
}

function renderErrors(form, focus) {
    clearErrorMarks(form);
    const { errors = [], summary = false } = formErrors.get(form.id) ?? {};
    const listed = errors.map((error) => {
        const el = findField(form, error.field);
        const message = error.key ? t(error.key) : fieldMessage(error);
        if (el) {
            showFieldError(el, message);
        }
        return { el, message };
    });
    if (summary && listed.length) {
        renderSummary(listed, focus);
    } else if (focus && listed[0]?.el) {
        focusTarget(listed[0].el).focus();
    }
    return listed.length;
}

/** The `errors[]` of an RFC 9457 problem, or none. */
const problemErrors = (problem) => (Array.isArray(problem?.errors) ? problem.errors.filter(Boolean) : []);

// ---- views -----------------------------------------------------------------------------------

function showView(name, { focus = true } = {}) {
    for (const view of document.querySelectorAll('main > .view')) {
        view.hidden = view.id !== `view-${name}`;
    }
    $('logout').hidden = name === 'login' || !state.session;
    if (name !== 'code') {
        stopQr();
    }
    if (focus) {
        $(`${name}-title`).focus();
    }
    window.scrollTo(0, 0);
}

// ---- step 1: log in --------------------------------------------------------------------------

let resendTimer = 0;

/**
 * Counts down the `seconds` the service said it refuses another code for (`resendAfterSeconds`, or a 429's
 * `Retry-After`): measured against a deadline, not by counting ticks, so a phone that slept still ends on time.
 */
function startResendCountdown(seconds) {
    const button = $('otp-button');
    const until = Date.now() + seconds * 1000;
    button.disabled = true;
    clearInterval(resendTimer);
    const render = () => {
        const left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) {
            clearInterval(resendTimer);
            button.disabled = false;
            delete button.dataset.resendUntil;
            setText(button, 'getCode');
        } else {
            setText(button, 'resendIn', { s: left });
        }
    };
    button.dataset.resendUntil = String(until);
    render();
    resendTimer = setInterval(render, 250);
}

async function onRequestOtp() {
    const form = $('login-form');
    const phoneInput = $('login-phone');
    const phone = phoneInput.value.trim();
    clearErrors(form);
    clearMessage();
    if (!/^1\d{10}$/.test(phone)) {
        setErrors(form, [{ field: 'phone', key: 'phoneRequired' }]);
        return;
    }
    const button = $('otp-button');
    button.disabled = true;
    setText(button, 'sending');
    try {
        const answer = await api.requestOtp(phone);
        showMessage('otpSent', {}, 'success');
        state.devCode = answer.devCode ?? null;
        renderDevCode();
        if (state.devCode) {
            $('login-code').value = state.devCode;
        }
        startResendCountdown(Number.isInteger(answer.resendAfterSeconds) ? answer.resendAfterSeconds : DEFAULT_RESEND_SECONDS);
        $('login-code').focus();
    } catch (error) {
        button.disabled = false;
        setText(button, 'getCode');
        if (error instanceof api.ApiError && error.status === 400 && setErrors(form, problemErrors(error.problem))) {
            return;
        }
        if (error instanceof api.ApiError && error.problem?.code === 'otp_too_frequent' && error.retryAfter) {
            // A code went to this phone moments ago (another tab, a reload): wait what the service says.
            showMessage('otpResendWait', { s: error.retryAfter }, 'error');
            startResendCountdown(error.retryAfter);
            return;
        }
        explain(error);
    }
}

function renderDevCode() {
    const el = $('dev-code');
    el.hidden = !state.devCode;
    if (state.devCode) {
        setText(el, 'devCode', { code: state.devCode });
    }
}

async function onLogin(event) {
    event.preventDefault();
    const form = $('login-form');
    const phone = $('login-phone').value.trim();
    const code = $('login-code').value.trim();
    clearErrors(form);
    clearMessage();
    if (!/^1\d{10}$/.test(phone)) {
        setErrors(form, [{ field: 'phone', key: 'phoneRequired' }]);
        return;
    }
    if (!code) {
        setErrors(form, [{ field: 'code', key: 'codeRequired' }]);
        return;
    }
    const button = $('login-button');
    button.disabled = true;
    setText(button, 'loggingIn');
    try {
        const answer = await api.login(phone, code);
        saveSession({ token: answer.token, expiresAt: answer.expiresAt, phone });
        $('login-code').value = '';
        state.devCode = null;
        renderDevCode();
        clearMessage();
        await loadCode();
    } catch (error) {
        if (error instanceof api.ApiError && error.kind === 'http' && [400, 401, 403].includes(error.status)) {
            const errors = problemErrors(error.problem);
            setErrors(form, errors.length ? errors : [{ field: 'code', key: 'errLoginFailed' }]);
        } else {
            explain(error);
        }
    } finally {
        button.disabled = false;
        setText(button, 'login');
    }
}

// ---- step 2: declare -------------------------------------------------------------------------

let travelSeq = 0;

function addTravelRow() {
    const row = $('travel-row-template').content.firstElementChild.cloneNode(true);
    const uid = ++travelSeq;
    for (const part of ['region', 'from', 'to']) {
        const input = row.querySelector(`[data-part="${part}"]`);
        const errorEl = input.parentElement.querySelector('.field-error');
        input.id = `travel-${uid}-${part}`;
        errorEl.id = `${input.id}-error`;
        input.setAttribute('aria-describedby', errorEl.id);
        row.querySelector(`[data-role="${part}-label"]`).htmlFor = input.id;
    }
    row.querySelector('[data-role="remove"]').addEventListener('click', () => {
        row.remove();
        renumberTravel();
        $('add-travel').focus();
    });
    $('travel-list').append(row);
    translate(row);
    renumberTravel();
    return row;
}

function renumberTravel() {
    [...$('travel-list').children].forEach((row, i) => {
        const n = i + 1;
        row.dataset.field = `travel[${i}]`;
        for (const part of ['region', 'from', 'to']) {
            row.querySelector(`[data-part="${part}"]`).dataset.field = `travel[${i}].${part}`;
        }
        setText(row.querySelector('.travel-row-title'), 'travelRow', { n });
        setText(row.querySelector('[data-role="region-label"]'), 'travelRegion');
        setText(row.querySelector('[data-role="from-label"]'), 'travelFrom');
        setText(row.querySelector('[data-role="to-label"]'), 'travelTo');
        const remove = row.querySelector('[data-role="remove"]');
        setText(remove, 'remove');
        remove.dataset.i18nAriaLabel = 'removeTravel';
        remove.dataset.i18nParams = JSON.stringify({ n });
        remove.setAttribute('aria-label', t('removeTravel', { n }));
    });
}

function updateTestAt() {
    const result = document.querySelector('input[name="testResult"]:checked')?.value ?? '';
    $('test-at-field').hidden = !result;
}

const orNull = (value) => (value.trim() === '' ? null : value.trim());

/** The form as the declaration of DESIGN §5. */
function readDeclaration() {
    const form = $('declare-form');
    const temperature = Number.parseFloat($('decl-temperature').value);
    const testResult = form.querySelector('input[name="testResult"]:checked')?.value ?? '';
    const testAt = $('decl-test-at').value;
    return {
        name: orNull($('decl-name').value),
        idNumber: orNull($('decl-id').value)?.toUpperCase() ?? null,
        phone: orNull($('decl-phone').value),
        region: orNull($('decl-region').value),
        travel: [...$('travel-list').children].map((row) => ({
            region: orNull(row.querySelector('[data-part="region"]').value),
            from: orNull(row.querySelector('[data-part="from"]').value),
            to: orNull(row.querySelector('[data-part="to"]').value),
        })),
        symptoms: [...form.querySelectorAll('input[name="symptoms"]:checked')].map((el) => el.value),
        temperature: Number.isFinite(temperature) ? temperature : null,
        contact: {
            confirmedCase: form.elements.confirmedCase.checked,
            suspectedCase: form.elements.suspectedCase.checked,
            closeContactNotice: form.elements.closeContactNotice.checked,
        },
        // datetime-local is the phone's local time; the API takes an instant.
        lastTest: testResult ? { result: testResult, at: testAt ? new Date(testAt).toISOString() : null } : null,
    };
}

/**
 * Readies the form for the person it is for: a family member's name and ID number as the holder
 * entered them (fixed: a declaration for them must carry their identity), the holder's as typed. One
 * person's answers never carry over to another person's declaration.
 */
function preparePersonForm() {
    const form = $('declare-form');
    const owner = state.personId ?? '';
    if (form.dataset.person !== owner) {
        form.reset();
        $('travel-list').replaceChildren();
        updateTestAt();
        refreshRegionNames();
        clearErrors(form);
        form.dataset.person = owner;
    }
    const dependant = current();
    for (const [id, value] of [['decl-name', dependant?.name], ['decl-id', dependant?.idNumber]]) {
        const input = $(id);
        input.readOnly = Boolean(dependant);
        if (dependant) {
            input.value = value ?? '';
        }
    }
    const forWhom = $('declare-for');
    forWhom.hidden = !dependant;
    if (dependant) {
        setText(forWhom, 'declareFor', { name: dependant.maskedName, tail: dependant.idTail });
    }
}

function showDeclare(messageKey, params = {}) {
    preparePersonForm();
    const phone = $('decl-phone');
    if (!phone.value && state.session?.phone) {
        // A family member without a phone is reached through the holder's.
        phone.value = state.session.phone;
    }
    $('cancel-declaration').hidden = !state.code && !state.personId;
    showView('declare');
    if (messageKey) {
        showMessage(messageKey, params, 'info');
    }
    // The form starts from what the service already knows (DESIGN §10 Prefill); the resident checks and submits it.
    prefillDeclaration({ token: state.session?.token, personId: state.personId, addTravelRow, updateTestAt })
        .then(() => refreshRegionNames());
}

function setSubmitting(busy) {
    state.submitting = busy;
    const button = $('submit-declaration');
    button.disabled = busy;
    $('declare-form').setAttribute('aria-busy', String(busy));
    setText(button, busy ? 'submitting' : 'submit');
}

function renderSummary(listed, focus) {
    setText($('form-summary-title'), 'summaryTitle', { n: listed.length });
    const items = listed.map(({ el, message }) => {
        const li = document.createElement('li');
        if (el) {
            const link = document.createElement('a');
            const target = focusTarget(el);
            const label = fieldLabel(el);
            link.href = target.id ? `#${target.id}` : '#';
            link.textContent = label ? `${label}${language() === 'en' ? ': ' : '：'}${message}` : message;
            link.addEventListener('click', (event) => {
                event.preventDefault();
                target.focus();
                target.scrollIntoView({ block: 'center' });
            });
            li.append(link);
        } else {
            li.textContent = message;
        }
        return li;
    });
    $('form-summary-list').replaceChildren(...items);
    $('form-summary').hidden = false;
    if (focus) {
        $('form-summary').focus();
    }
}

async function onSubmitDeclaration(event) {
    event.preventDefault();
    if (state.submitting) {
        return;
    }
    const form = $('declare-form');
    clearErrors(form);
    clearMessage();
    setSubmitting(true);
    try {
        const result = await api.submitDeclaration(state.session?.token, readDeclaration(), state.personId);
        const dependant = current();
        showCode({
            ...result,
            relation: dependant ? 'dependant' : 'holder',
            maskedName: dependant?.maskedName ?? state.code?.maskedName,
            idTail: dependant?.idTail ?? state.code?.idTail,
            updatedAt: new Date().toISOString(),
        });
        showMessage('submitted', {}, 'success');
        loadFamily();
    } catch (error) {
        if (error instanceof api.ApiError && (error.status === 400 || (error.status === 409 && problemErrors(error.problem).length))) {
            if (!setErrors(form, problemErrors(error.problem), { summary: true })) {
                showMessage('errInvalidRequest', {}, 'error', error.problem?.detail ?? '');
            }
        } else {
            explain(error);
        }
    } finally {
        setSubmitting(false);
    }
}

// ---- step 3: the code ------------------------------------------------------------------------

const qr = {
    interval: 0,
    inFlight: false,
    nextAt: 0,
    expiresAt: 0,
    refreshedAt: null,
    /** The text the canvas shows, and the issuing province (`iss`) of its token. */
    text: null,
    issuer: null,
};

async function loadCode() {
    const personId = state.personId;
    try {
        const code = await api.getMyCode(state.session?.token, personId);
        if (personId === state.personId) {
            showCode(code);
        }
    } catch (error) {
        if (error instanceof api.ApiError && error.problem?.code === 'person_not_found') {
            // Removed on another device: back to the holder.
            state.personId = null;
            await loadFamily();
            await loadCode();
        } else if (error instanceof api.ApiError && error.status === 404) {
            state.code = null;
            const dependant = current();
            if (dependant) {
                showDeclare('dependantNoCode', { name: dependant.maskedName });
            } else {
                showDeclare('noDeclaration');
            }
        } else if (explain(error)) {
            // Network or server trouble: the message says to try again later; the resident stays
            // where they are (logging in again, or reloading, retries) and can still log out.
            $('logout').hidden = false;
        }
    }
}

function renderCode() {
    const code = state.code;
    if (!code) {
        return;
    }
    const color = ['green', 'yellow', 'red'].includes(code.color) ? code.color : '';
    const dependant = code.relation === 'dependant';
    $('code-frame').dataset.color = color;
    setText($('code-person'), dependant ? 'codeOfDependant' : 'codeOfSelf', { name: code.maskedName ?? '', tail: code.idTail ?? '' });
    $('print-code').hidden = !dependant;
    setText($('declare-again'), dependant ? 'declareForAgain' : 'declareAgain', { name: code.maskedName ?? '' });
    $('code-icon').textContent = SYMBOLS[color] ?? '?';
    $('code-color-text').textContent = color ? t(color) : String(code.color ?? '');
    $('code-meaning').textContent = color ? t(`${color}Meaning`) : '';
    $('qr').setAttribute('aria-label', t('qrAlt', { color: color ? t(color) : '' }));
    renderIssuer();

    const reasons = Array.isArray(code.reasons) ? code.reasons : [];
    const items = reasons.map((reason) => {
        const li = document.createElement('li');
        li.textContent = localized(reason) ?? reason.code;
        li.dataset.code = reason.code ?? '';
        if (reason.source) {
            // A reason from a department's data names the list and the batch it came from (DESIGN §9).
            const source = document.createElement('span');
            source.className = 'reason-source';
            source.dataset.source = reason.source.code ?? '';
            source.dataset.batch = reason.source.batchId ?? '';
            source.dataset.name = reason.source.name ?? reason.source.code ?? '';
            source.textContent = t('reasonSource', { name: reason.source.name ?? reason.source.code ?? '', batch: reason.source.batchId ?? '' });
            li.append(source);
        }
        return li;
    });
    if (!items.length) {
        const li = document.createElement('li');
        li.textContent = t('noReasons');
        items.push(li);
    }
    $('reasons').replaceChildren(...items);

    const greenAfter = $('green-after');
    greenAfter.hidden = !code.greenAfter || color === 'green';
    // A yellow or red code turns green on that day only if every day until then is clean: at the earliest. A red
    // code that also waits for a negative test says so (the reason codes of RiskScorer).
    const needsTest = reasons.some((reason) => ['red_pending_days_and_test', 'red_pending_negative_test'].includes(reason.code));
    greenAfter.dataset.needsTest = String(needsTest);
    greenAfter.textContent = code.greenAfter
        ? t(needsTest ? 'greenAfterTest' : 'greenAfterEarliest', { date: formatDay(code.greenAfter) })
        : '';
    $('updated-at').textContent = code.updatedAt ? t('updatedAt', { time: formatInstant(code.updatedAt) }) : '';
    // Each reason that names a department's data can be disputed (DESIGN §10): js/disputes.js.
    renderDisputes(code);
}

/** The province that issued the code on screen, from the token the QR holds (what a scanner will read). */
function renderIssuer() {
    $('code-issuer').textContent = qr.issuer ? t('codeIssuer', { province: provinceName(qr.issuer) }) : '';
}

/** The clock under the name: date and time to the second, so a screenshot does not pass for a live code. */
function renderClock() {
    const now = new Date();
    const clock = $('code-clock');
    clock.textContent = formatClock(now);
    clock.dateTime = now.toISOString();
}

function showCode(code) {
    state.code = code;
    renderCode();
    renderPeople();
    showView('code');
    startQr();
}

function renderQrNote() {
    const now = Date.now();
    const expired = qr.expiresAt > 0 && now >= qr.expiresAt;
    $('qr-expired').hidden = !expired;
    $('qr').classList.toggle('stale', expired);
    if (qr.inFlight) {
        $('qr-countdown').textContent = t('refreshing');
    } else if (qr.nextAt) {
        $('qr-countdown').textContent = t('refreshIn', { s: Math.max(0, Math.ceil((qr.nextAt - now) / 1000)) });
    }
    $('qr-refreshed').textContent = qr.refreshedAt ? t('refreshedAt', { time: formatTime(qr.refreshedAt) }) : '';
}

/** Runs every second while the code is shown; also the scheduler, so a sleeping phone catches up. */
function tick() {
    if ($('view-code').hidden) {
        return;
    }
    renderClock();
    if (!qr.inFlight && Date.now() >= qr.nextAt) {
        refreshQr();
    }
    renderQrNote();
}

function startQr() {
    clearInterval(qr.interval);
    qr.nextAt = 0;
    qr.interval = setInterval(tick, 1000);
    tick();
}

function stopQr() {
    clearInterval(qr.interval);
    qr.interval = 0;
    qr.nextAt = 0;
}

/** Blanks the QR: another person's code (or none, after logging out) must not stay on screen until the next draw. */
function clearQr() {
    const canvas = $('qr');
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
    delete canvas.dataset.text;
    delete canvas.dataset.version;
    qr.text = null;
    qr.issuer = null;
    qr.expiresAt = 0;
    qr.refreshedAt = null;
}

async function refreshQr() {
    const token = state.session?.token;
    const personId = state.personId;
    qr.inFlight = true;
    renderQrNote();
    try {
        // One request a refresh: the signed text, drawn here. The code's colour and reasons are read again only
        // when they changed (a new case list, a test result): the token's colour or status version differs from
        // what is shown, or the service says the code record changed since.
        const signed = await api.getMyQrText(token, personId);
        const claims = readClaims(signed.text);
        const shown = state.code;
        const stale = !shown
            || claims?.v !== shown.statusVersion
            || claims?.c !== String(shown.color ?? '').charAt(0)
            || signed.codeUpdatedAt === null
            || signed.codeUpdatedAt !== Date.parse(shown.updatedAt ?? '');
        const code = stale ? await api.getMyCode(token, personId) : shown;
        if ($('view-code').hidden || state.session?.token !== token || state.personId !== personId) {
            return;
        }
        qr.text = signed.text;
        qr.issuer = claims?.iss ?? null;
        drawQr($('qr'), signed.text);
        $('qr').dataset.text = signed.text;
        state.code = code;
        renderCode();
        const lifetime = signed.lifetimeMs ?? DEFAULT_LIFETIME_MS;
        const now = Date.now();
        qr.refreshedAt = new Date(now);
        qr.expiresAt = now + lifetime;
        // Renew at ~80% of the token's remaining life, never more often than every 5 s.
        qr.nextAt = now + Math.max(MIN_REFRESH_MS, lifetime * 0.8);
        if (showsTrouble()) {
            // The network (or the service) is back: the banner must not keep saying otherwise.
            clearMessage();
        }
    } catch (error) {
        qr.nextAt = Date.now() + RETRY_MS;
        if (state.personId !== personId) {
            // Switched to another person meanwhile: their code is being fetched.
        } else if (error instanceof api.ApiError && error.status === 404) {
            state.code = null;
            loadCode();
        } else if (error instanceof api.ApiError && error.kind === 'network') {
            showMessage('errNetwork', {}, 'error');
        } else if (!(error instanceof api.ApiError) || error.status !== 401) {
            showMessage('errQr', {}, 'error');
        } else {
            explain(error);
        }
    } finally {
        qr.inFlight = false;
        renderQrNote();
    }
}

// ---- family members (DESIGN §8) ---------------------------------------------------------------

const MAX_DEPENDANTS = 5;
const FAMILY_PROBLEMS = { dependants_limit: 'errDependantsLimit', holder_required: 'errHolderRequired' };

async function loadFamily() {
    const token = state.session?.token;
    try {
        const dependants = await api.listDependants(token);
        if (state.session?.token === token) {
            state.dependants = Array.isArray(dependants) ? dependants : [];
            renderPeople();
            renderFamily();
        }
    } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) {
            explain(error);
        }
        // Otherwise the list stays as it was; the next look fetches it again.
    }
}

/** The switch between the holder's code and each family member's, shown once there is a family. */
function renderPeople() {
    const box = $('people');
    box.hidden = state.dependants.length === 0;
    const people = [
        { personId: null, label: t('self'), color: null },
        ...state.dependants.map((d) => ({ personId: d.personId, label: d.maskedName, color: d.color })),
    ];
    box.replaceChildren(...people.map((person) => {
        const chip = document.createElement('button');
        chip.type = 'button';
        chip.className = 'person-chip';
        chip.dataset.personId = person.personId ?? '';
        chip.dataset.color = person.color ?? '';
        chip.textContent = person.label;
        chip.setAttribute('aria-pressed', String(person.personId === state.personId));
        chip.addEventListener('click', () => switchPerson(person.personId));
        return chip;
    }));
}

function switchPerson(personId) {
    if (personId === state.personId && !$('view-code').hidden) {
        return;
    }
    state.personId = personId;
    state.code = null;
    stopQr();
    clearQr();
    clearMessage();
    renderPeople();
    loadCode();
}

function showFamily() {
    renderFamily();
    showView('family');
    loadFamily();
}

function renderFamily() {
    $('family-empty').hidden = state.dependants.length > 0;
    $('dependant-form').hidden = state.dependants.length >= MAX_DEPENDANTS;
    const template = $('family-row-template').content.firstElementChild;
    $('family-list').replaceChildren(...state.dependants.map((dependant) => {
        const row = template.cloneNode(true);
        row.dataset.personId = dependant.personId;
        row.querySelector('[data-role="dot"]').dataset.color = dependant.color ?? '';
        row.querySelector('[data-role="who"]').textContent = t('personWithTail', { name: dependant.maskedName, tail: dependant.idTail });
        row.querySelector('[data-role="state"]').textContent = dependant.color
            ? t('familyState', { color: t(dependant.color), time: formatInstant(dependant.updatedAt) })
            : t('familyNoCode');
        const show = row.querySelector('[data-role="show"]');
        setText(show, 'familyShow');
        show.hidden = !dependant.color;
        show.addEventListener('click', () => switchPerson(dependant.personId));
        const declare = row.querySelector('[data-role="declare"]');
        setText(declare, 'familyDeclare');
        declare.addEventListener('click', () => {
            state.personId = dependant.personId;
            state.code = null;
            renderPeople();
            showDeclare();
        });
        const remove = row.querySelector('[data-role="remove"]');
        setText(remove, 'familyRemove');
        remove.setAttribute('aria-label', t('familyRemoveLabel', { name: dependant.maskedName }));
        remove.addEventListener('click', () => onRemoveDependant(dependant));
        return row;
    }));
}

async function onAddDependant(event) {
    event.preventDefault();
    const form = $('dependant-form');
    clearErrors(form);
    clearMessage();
    const name = $('dep-name').value.trim();
    const idNumber = $('dep-id').value.trim().toUpperCase();
    const missing = [
        !name && { field: 'name', key: 'nameRequired' },
        !idNumber && { field: 'idNumber', key: 'idNumberRequired' },
    ].filter(Boolean);
    if (missing.length) {
        setErrors(form, missing);
        return;
    }
    const button = $('add-dependant');
    button.disabled = true;
    try {
        const added = await api.addDependant(state.session?.token, name, idNumber);
        form.reset();
        await loadFamily();
        showMessage('familyAdded', { name: added.maskedName }, 'success');
    } catch (error) {
        const errors = error instanceof api.ApiError ? problemErrors(error.problem) : [];
        if (error instanceof api.ApiError && [400, 409].includes(error.status) && errors.length) {
            setErrors(form, errors);
        } else if (error instanceof api.ApiError && FAMILY_PROBLEMS[error.problem?.code]) {
            showMessage(FAMILY_PROBLEMS[error.problem.code], {}, 'error');
        } else {
            explain(error);
        }
    } finally {
        button.disabled = false;
    }
}

async function onRemoveDependant(dependant) {
    if (!window.confirm(t('familyRemoveConfirm', { name: dependant.maskedName }))) {
        return;
    }
    try {
        await api.removeDependant(state.session?.token, dependant.personId);
        if (state.personId === dependant.personId) {
            state.personId = null;
        }
        await loadFamily();
        showMessage('familyRemoved', { name: dependant.maskedName }, 'success');
    } catch (error) {
        explain(error);
    }
}

/**
 * Prints a family member's card (a longer-lived code on paper, DESIGN §8). The window opens while the
 * tap still counts, so no popup blocker stops it, and gets the card when it arrives: the card is the
 * service's own page, one SVG with no script or style of its own.
 */
async function printCard() {
    const personId = state.personId;
    const printWindow = personId ? window.open('', '_blank') : null;
    if (!printWindow) {
        showMessage('errPrintBlocked', {}, 'error');
        return;
    }
    try {
        const html = await api.getPrintedCard(state.session?.token, personId);
        const card = new DOMParser().parseFromString(html, 'text/html');
        printWindow.document.replaceChild(printWindow.document.adoptNode(card.documentElement), printWindow.document.documentElement);
        printWindow.focus();
        printWindow.print();
    } catch (error) {
        printWindow.close();
        explain(error);
    }
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
    document.documentElement.lang = locale();
    const toggle = $('lang-switch');
    toggle.lang = language() === 'en' ? 'zh-CN' : 'en';
    translate(document);
    renderCode();
    renderPeople();
    renderFamily();
    renderDataUse();
    renderQrNote();
    renderRegions();
    renderErrors($('login-form'), false);
    renderErrors($('declare-form'), false);
    renderErrors($('dependant-form'), false);
    if (!$('declare-for').hidden) {
        preparePersonForm();
    }
}

// ---- start -----------------------------------------------------------------------------------

function wire() {
    initDisputes({ token: () => state.session?.token, personId: () => state.personId, explain, showMessage, formatInstant });
    $('lang-switch').addEventListener('click', () => {
        setLanguage(language() === 'en' ? 'zh' : 'en');
        applyLanguage();
    });
    $('logout').addEventListener('click', (event) => {
        event.preventDefault();
        endSession('loggedOut');
    });
    $('otp-button').addEventListener('click', onRequestOtp);
    // Enter in the phone field asks for the code (what the next step needs), rather than submitting the login
    // form without one; while the resend timer runs it moves on to the code field.
    $('login-phone').addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.isComposing) {
            event.preventDefault();
            if ($('otp-button').disabled) {
                $('login-code').focus();
            } else {
                onRequestOtp();
            }
        }
    });
    $('login-form').addEventListener('submit', onLogin);
    $('declare-form').addEventListener('submit', onSubmitDeclaration);
    $('add-travel').addEventListener('click', () => addTravelRow().querySelector('input').focus());
    for (const radio of document.querySelectorAll('input[name="testResult"]')) {
        radio.addEventListener('change', updateTestAt);
    }
    $('decl-id').addEventListener('input', (event) => {
        const input = event.target;
        if (/x/.test(input.value)) {
            input.value = input.value.toUpperCase();
        }
    });
    $('declare-again').addEventListener('click', () => showDeclare());
    $('cancel-declaration').addEventListener('click', () => {
        if (!state.code && state.personId) {
            // A family member without a code yet: back to the holder's.
            state.personId = null;
        }
        loadCode();
    });
    $('print-code').addEventListener('click', printCard);
    $('open-family').addEventListener('click', showFamily);
    $('family-back').addEventListener('click', () => loadCode());
    $('dependant-form').addEventListener('submit', onAddDependant);
    initDataUse({
        token: () => state.session?.token,
        person: () => ({ personId: state.personId, maskedName: current()?.maskedName ?? state.code?.maskedName ?? '' }),
        hasFamily: () => state.dependants.length > 0,
        showView,
        explain,
        back: () => loadCode(),
    });
    $('dep-id').addEventListener('input', (event) => {
        const input = event.target;
        if (/x/.test(input.value)) {
            input.value = input.value.toUpperCase();
        }
    });
    $('refresh-now').addEventListener('click', () => {
        if (!qr.inFlight) {
            refreshQr();
        }
    });
    document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') {
            tick();
        }
    });
    // The banner follows the network: it clears when the phone is back online, and the code is fetched again at
    // once rather than at the next retry.
    window.addEventListener('offline', () => showMessage('errNetwork', {}, 'error'));
    window.addEventListener('online', () => {
        if (showsTrouble()) {
            clearMessage();
        }
        if (!$('view-code').hidden && !qr.inFlight) {
            refreshQr();
        }
    });
    initRegions();
}

wire();
applyLanguage();
updateTestAt();
if (state.session) {
    loadCode();
    loadFamily();
} else {
    showView('login', { focus: false });
}
