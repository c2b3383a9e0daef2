// Disputes (纠错, DESIGN §10, GB/T 38963) on the resident page: beside each reason that names a department's data, an
// action to ask for a correction; a small form to say what is wrong; and the person's disputes with their state
// (open, retracted, overridden, rejected). app.js renders the code and calls renderDisputes() after it, and
// resetDisputes() when the session ends; everything else lives here.

import * as api from './api.js';
import { setText, t } from './i18n.js';
import './disputes-i18n.js';

/** While a dispute is open, its state is looked up again at most this often (the code itself refreshes every ~minute). */
const REFRESH_MS = 30000;
const REASON_ERRORS = { required: 'dspReasonRequired', text_too_long: 'dspReasonTooLong', text_invalid_characters: 'dspReasonInvalid' };

const $ = (id) => document.getElementById(id);

/** What app.js lends: `token()`, `personId()`, `explain(error)`, `showMessage(key, params, kind, detail)`, `formatInstant(value)`. */
let page = null;

const state = {
    /** Whose disputes are held: the person chosen on the page (null: the holder) and their code's last update; a change fetches them again. */
    key: null,
    /** The personId of the code shown: the list holds this person's disputes only (the holder's list has the family's too). */
    personId: null,
    loadedAt: 0,
    /** The key being fetched, so one look at a time goes out per person and update. */
    loading: null,
    /** `GET /api/v1/me/disputes?personId=` of the person shown, newest first. */
    disputes: [],
    /** The fact the form is open for: `{source, batchId, name}`. */
    fact: null,
    submitting: false,
    /** Catalogue entry code → kind, see loadKinds(); null until read. */
    kinds: null,
    kindsLoading: false,
};

// ---- the catalogue ---------------------------------------------------------------------------

/**
 * Kinds of catalogue entry whose facts are about a region or the register, not about the person: a reason can name a
 * risk-area designation (a declared stay in an area the health commission's batch designated), but the service answers
 * `fact_not_found` to a dispute of it, so the page does not offer one. Where that is wrong, the resident says so to the
 * health commission; a risk area is corrected by its own batch.
 */
const NOT_PERSONAL = new Set(['risk_areas', 'population']);

/**
 * The catalogue's kinds by entry code (`GET /api/v1/catalog`, public), read once per page. Until they are known the
 * page offers no action (so none flashes up and goes again); when the catalogue cannot be read, every source is offered.
 */
async function loadKinds() {
    if (state.kinds || state.kindsLoading) {
        return;
    }
    state.kindsLoading = true;
    try {
        const catalog = await api.getCatalog();
        state.kinds = new Map((Array.isArray(catalog?.entries) ? catalog.entries : []).map((e) => [e.code, e.kind]));
        decorateReasons();
    } catch {
        // Every source is offered; the service still refuses what is not the person's (dspFactGone).
        state.kinds = new Map();
        decorateReasons();
    } finally {
        state.kindsLoading = false;
    }
}

// ---- rendering -------------------------------------------------------------------------------

/** The latest dispute of a fact, if any. */
const disputeOf = (source, batchId) => state.disputes.find((d) => d.fact?.source === source && d.fact?.batchId === batchId) ?? null;

/** Adds to each reason that names a source its dispute's state and, unless one is open, the action. */
function decorateReasons() {
    for (const sourceEl of $('reasons').querySelectorAll('.reason-source[data-source]')) {
        const li = sourceEl.closest('li');
        li.querySelector('.dispute-badge')?.remove();
        li.querySelector('.dispute-action')?.remove();
        const fact = { source: sourceEl.dataset.source, batchId: sourceEl.dataset.batch ?? '', name: sourceEl.dataset.name ?? sourceEl.dataset.source };
        if (NOT_PERSONAL.has(state.kinds?.get(fact.source))) {
            continue;
        }
        const dispute = disputeOf(fact.source, fact.batchId);
        if (dispute) {
            const badge = document.createElement('span');
            badge.className = 'dispute-badge';
            badge.dataset.state = dispute.state;
            setText(badge, 'dspBadge', { state: t(`dspState_${dispute.state}`) });
            li.append(badge);
        }
        if (state.kinds && dispute?.state !== 'open') {
            const action = document.createElement('button');
            action.type = 'button';
            action.className = 'link-button dispute-action';
            setText(action, dispute ? 'dspActionAgain' : 'dspAction');
            action.setAttribute('aria-label', t('dspActionLabel', { name: fact.name }));
            action.addEventListener('click', () => openForm(fact));
            li.append(action);
        }
    }
}

function renderList() {
    const items = state.disputes.map((dispute) => {
        const li = document.createElement('li');
        li.dataset.disputeId = dispute.disputeId;
        li.dataset.state = dispute.state;
        const lines = [
            ['dspItem', { name: dispute.fact?.sourceName ?? dispute.fact?.source ?? '', batch: dispute.fact?.batchId ?? '' }, 'dispute-what'],
            [`dspStateLong_${dispute.state}`, null, 'dispute-state'],
            ['dspYourReason', { reason: dispute.reason ?? '' }, 'hint'],
            dispute.note ? ['dspNote', { note: dispute.note }, 'dispute-note'] : null,
            ['dspFiledAt', { time: page.formatInstant(dispute.filedAt) }, 'hint'],
            dispute.resolvedAt ? ['dspResolvedAt', { time: page.formatInstant(dispute.resolvedAt) }, 'hint'] : null,
        ];
        li.append(...lines.filter(Boolean).map(([key, params, className]) => {
            const p = document.createElement('p');
            p.className = className;
            setText(p, key, params ?? undefined);
            return p;
        }));
        return li;
    });
    $('dispute-list').replaceChildren(...items);
    $('disputes').hidden = items.length === 0 && !state.fact;
}

function render() {
    decorateReasons();
    renderList();
}

// ---- the form --------------------------------------------------------------------------------

function showReasonError(key) {
    const input = $('dispute-reason');
    const error = $('dispute-reason-error');
    error.hidden = !key;
    if (key) {
        setText(error, key);
        input.setAttribute('aria-invalid', 'true');
    } else {
        setText(error, null);
        input.removeAttribute('aria-invalid');
    }
}

function openForm(fact) {
    state.fact = fact;
    $('dispute-form').reset();
    showReasonError(null);
    setText($('dispute-fact'), 'dspFact', { name: fact.name, batch: fact.batchId });
    $('dispute-form').hidden = false;
    $('disputes').hidden = false;
    $('dispute-reason').focus();
}

function closeForm() {
    state.fact = null;
    $('dispute-form').hidden = true;
    showReasonError(null);
    renderList();
}

async function onSubmit(event) {
    event.preventDefault();
    if (state.submitting || !state.fact) {
        return;
    }
    const reason = $('dispute-reason').value.trim();
    if (!reason) {
        showReasonError('dspReasonRequired');
        $('dispute-reason').focus();
        return;
    }
    const button = $('dispute-submit');
    state.submitting = true;
    button.disabled = true;
    setText(button, 'dspSubmitting');
    const personId = page.personId();
    try {
        const { created } = await api.fileDispute(page.token(), state.fact, reason, personId);
        closeForm();
        page.showMessage(created ? 'dspFiled' : 'dspAlreadyOpen', {}, created ? 'success' : 'info');
        await load(personId, state.key, true);
    } catch (error) {
        const problem = error instanceof api.ApiError ? error.problem : null;
        const fieldError = Array.isArray(problem?.errors) ? problem.errors.find((e) => e?.field === 'reason') : null;
        if (fieldError) {
            showReasonError(REASON_ERRORS[fieldError.code] ?? 'dspReasonInvalid');
            $('dispute-reason').focus();
        } else if (problem?.code === 'fact_not_found') {
            closeForm();
            page.showMessage('dspFactGone', {}, 'error');
        } else if (error instanceof api.ApiError && error.kind === 'http' && error.status !== 401 && error.status < 500) {
            page.showMessage('dspErrFailed', { status: error.status }, 'error', problem?.detail ?? '');
        } else {
            page.explain(error);
        }
    } finally {
        state.submitting = false;
        button.disabled = false;
        setText(button, 'dspSubmit');
    }
}

// ---- loading ---------------------------------------------------------------------------------

async function load(personId, key, force = false) {
    const token = page.token();
    if (!token || (state.loading === key && !force)) {
        return;
    }
    state.loading = key;
    try {
        const disputes = await api.listMyDisputes(token, personId);
        if (page.token() === token && page.personId() === personId) {
            // The holder's list has the family's disputes too: only the shown person's are theirs to see here.
            const whose = state.personId;
            state.disputes = (Array.isArray(disputes) ? disputes : []).filter((d) => !whose || d.personId === whose);
            state.key = key;
            state.loadedAt = Date.now();
            render();
        }
    } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) {
            page.explain(error);
        }
        // Otherwise the disputes stay as they were; the next render looks again.
    } finally {
        if (state.loading === key) {
            state.loading = null;
        }
    }
}

// ---- what app.js calls -----------------------------------------------------------------------

/** Wires the form; `hooks` lends what the page already has (see `page`). */
export function initDisputes(hooks) {
    page = hooks;
    $('dispute-form').addEventListener('submit', onSubmit);
    $('dispute-cancel').addEventListener('click', closeForm);
}

/** After the code is rendered: decorates its reasons and, when the person or their code changed (or an open dispute may have moved on), fetches their disputes. */
export function renderDisputes(code) {
    if (!page || !code) {
        return;
    }
    const personId = page.personId();
    state.personId = code.personId ?? null;
    const key = `${personId ?? ''}|${code.updatedAt ?? ''}`;
    const personChanged = !state.key?.startsWith(`${personId ?? ''}|`);
    if (personChanged) {
        state.disputes = [];
        if (state.fact) {
            closeForm();
        }
    }
    render();
    if (!state.kinds && code.reasons?.some((r) => r?.source)) {
        loadKinds();
    }
    const waiting = state.disputes.some((d) => d.state === 'open') && Date.now() - state.loadedAt > REFRESH_MS;
    if (key !== state.key || waiting) {
        load(personId, key);
    }
}

/** The session ended: nothing of this person's disputes stays on the page. */
export function resetDisputes() {
    state.key = null;
    state.personId = null;
    state.loading = null;
    state.disputes = [];
    state.fact = null;
    state.loadedAt = 0;
    if (page) {
        $('dispute-form').reset();
        $('dispute-form').hidden = true;
        $('dispute-list').replaceChildren();
        $('disputes').hidden = true;
    }
}
