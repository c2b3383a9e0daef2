// "Who used my data" (谁使用了我的数据) on the resident page: the data-use log of the person whose code is shown, or of
// the whole family (DESIGN §10), newest first, a page at a time. The rest of the page (app.js) opens it from the code
// view and hands over what it knows through `initDataUse`; everything else about the section lives here.

import * as api from './api.js';
import { formatInstant } from './dates.js';
import { localized, setText, t } from './i18n.js';
import { purposeKey } from './data-use-i18n.js';

const PAGE_SIZE = 20;

const $ = (id) => document.getElementById(id);

/**
 * What the page tells this section: `token()` the session's, `person()` whose code is shown (`{personId, maskedName}`,
 * personId null for the holder), `hasFamily()`, `showView(name)`, `explain(error)` (the page's one place for
 * failures; false when the session ended) and `back()` (to the code).
 */
let app = null;

const list = {
    /** `null`: the person shown; `'all'`: the holder and every family member. */
    scope: null,
    /** The person the list is of, as it was opened. */
    person: null,
    entries: [],
    nextCursor: null,
    loading: false,
    /** Bumped whenever the list starts over, so an answer to an older request is dropped. */
    generation: 0,
};

export function initDataUse(page) {
    app = page;
    $('open-data-use').addEventListener('click', showDataUse);
    $('data-use-back').addEventListener('click', () => app.back());
    $('data-use-more').addEventListener('click', () => loadPage({ more: true }));
    $('data-use-scope').addEventListener('click', () => {
        list.scope = list.scope === 'all' ? null : 'all';
        startOver();
    });
}

/** Opens the section for the person whose code is shown. */
export function showDataUse() {
    list.scope = null;
    list.person = app.person();
    app.showView('data-use');
    startOver();
}

/** Forgets every entry (logging out: the next person on a shared phone must not see them). */
export function clearDataUse() {
    reset();
    list.person = null;
}

function reset() {
    list.generation += 1;
    list.entries = [];
    list.nextCursor = null;
    list.loading = false;
    $('data-use-list').replaceChildren();
    setText($('data-use-status'), null);
}

/** Writes the section again in the current language. */
export function renderDataUse() {
    if (!list.person) {
        return;
    }
    const heading = $('data-use-for');
    if (list.scope === 'all') {
        setText(heading, 'duForAll');
    } else {
        setText(heading, list.person.personId ? 'duForFamily' : 'duForSelf', { name: list.person.maskedName ?? '' });
    }
    const scope = $('data-use-scope');
    scope.hidden = !app.hasFamily();
    scope.setAttribute('aria-pressed', String(list.scope === 'all'));
    setText(scope, list.scope === 'all' ? 'duShowOne' : 'duShowAll');
    $('data-use-list').replaceChildren(...list.entries.map(row));
    renderStatus();
}

function renderStatus() {
    const done = !list.loading && list.nextCursor === null;
    $('data-use-more').hidden = list.loading || list.nextCursor === null;
    $('data-use-empty').hidden = !done || list.entries.length > 0;
    const status = $('data-use-status');
    if (list.loading) {
        setText(status, 'duLoading');
    } else if (done && list.entries.length > 0) {
        setText(status, 'duEnd');
    } else {
        setText(status, null);
    }
}

function startOver() {
    reset();
    renderDataUse();
    loadPage({ more: false });
}

async function loadPage({ more }) {
    if (list.loading) {
        return;
    }
    const generation = list.generation;
    const personId = list.scope ?? list.person.personId;
    list.loading = true;
    renderStatus();
    try {
        const page = await api.getMyDataUse(app.token(), { personId, cursor: more ? list.nextCursor : null, limit: PAGE_SIZE });
        if (generation !== list.generation) {
            return;
        }
        const entries = Array.isArray(page.entries) ? page.entries : [];
        const first = list.entries.length;
        list.entries.push(...entries);
        list.nextCursor = page.nextCursor ?? null;
        list.loading = false;
        renderDataUse();
        if (more && entries.length) {
            // The first of the older uses takes the focus the vanished button had; a screen reader hears how many came.
            const added = $('data-use-list').children[first];
            added.tabIndex = -1;
            added.focus();
            setText($('data-use-status'), 'duMoreLoaded', { n: entries.length });
        }
    } catch (error) {
        if (generation !== list.generation) {
            return;
        }
        list.loading = false;
        renderStatus();
        if (error instanceof api.ApiError && error.problem?.code === 'person_not_found') {
            // The family member was removed on another device: back to the code, which starts over from the holder.
            app.back();
        } else {
            app.explain(error);
        }
    }
}

/** One use: what for and when, whose data from which batch, who used it, and about whom. */
function row(entry) {
    const item = $('data-use-row-template').content.firstElementChild.cloneNode(true);
    const source = entry.source ?? null;
    item.dataset.seq = String(entry.seq ?? '');
    item.dataset.purpose = entry.purpose ?? '';
    item.dataset.source = source?.code ?? '';
    item.dataset.batch = source?.batchId ?? '';
    item.dataset.actorKind = entry.actor?.kind ?? '';
    const key = purposeKey(entry.purpose);
    item.querySelector('[data-role="purpose"]').textContent = key ? t(key) : String(entry.purpose ?? '');
    const at = item.querySelector('[data-role="at"]');
    at.dateTime = entry.at ?? '';
    at.textContent = formatInstant(entry.at);
    item.querySelector('[data-role="source"]').textContent = !source
        ? t('duNoSource')
        : t(source.batchId ? 'duSource' : 'duSourceNoBatch', { name: source.name ?? source.code ?? '', batch: source.batchId ?? '' });
    const actor = localized(entry.actor) ?? '';
    item.querySelector('[data-role="actor"]').textContent = t('duActor', { actor });
    const person = entry.person ?? {};
    item.querySelector('[data-role="person"]').textContent = person.relation === 'dependant'
        ? t('duAboutFamily', { name: person.maskedName ?? '', tail: person.idTail ?? '' })
        : t('duAboutSelf', { name: person.maskedName ?? '' });
    return item;
}
