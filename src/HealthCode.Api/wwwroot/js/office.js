// The grassroots office page (DESIGN §10 "Grassroots offices", 基层): an office:<region> operator's token, kept for the
// tab only, then the counts of codes by colour in the office's area and the yellow and red people to follow up (masked
// name, ID tail, a phone to call, reasons, since when), filtered by colour and region, a page at a time. Every value
// from the service is set as text (textContent), never as HTML. Every person the page lists is recorded as data use by
// the service; the page says so.

import * as api from './api.js';
import { formatDateTime, formatNumber, language, locale, localized, setLanguage, setText, t, translate } from './i18n.js';
import './office-i18n.js';
import { TOKEN_CHECK_MS, tabToken, tokenExpired } from './tab-token.js';

/** The office's token, kept for this tab only and forgotten after half an hour without a request (tab-token.js). */
const officeToken = tabToken('hc.office.token');
const PAGE_SIZE = 20;

const $ = (id) => document.getElementById(id);

const state = {
    token: null,
    /** When the token was entered and last used (ms since the epoch). */
    times: { savedAt: 0, usedAt: 0 },
    /** `GET /office/me`: `{operatorId, name, offices: [{region, name, nameEn}]}`. */
    me: null,
    summary: null,
    filters: { color: '', region: '' },
    people: [],
    cursor: null,
    /** The text key (and values) of the list's status line: loading, how many, empty, or what went wrong. */
    listStatus: null,
    /** Numbers every list request, so an answer to an older filter never lands in a newer list. */
    seq: 0,
    loading: false,
};

// ---- the token -------------------------------------------------------------------------------

function storeToken() {
    officeToken.store(state.token, state.times);
}

/** An answered request: the office is in use, the idle limit starts again. */
function tokenUsed() {
    state.times.usedAt = Date.now();
    storeToken();
}

/** Forgets the token and everything it showed, and asks for it again, saying why. */
function forgetToken(messageKey, kind = 'error') {
    state.token = null;
    state.me = null;
    state.summary = null;
    state.people = [];
    state.cursor = null;
    state.seq++;
    storeToken();
    showSetup(messageKey, kind);
}

function checkTokenAge() {
    if (state.token && tokenExpired(state.times, Date.now())) {
        forgetToken('offTokenForgotten');
    }
}

// ---- messages and views ----------------------------------------------------------------------

function showMessage(key, kind = 'info', params = undefined) {
    const box = $('message');
    box.dataset.kind = kind;
    box.classList.toggle('shown', Boolean(key));
    setText($('message-text'), key, params);
}

function showSetup(messageKey = null, kind = 'error') {
    $('view-office').hidden = true;
    $('view-setup').hidden = false;
    $('logout').hidden = true;
    $('people').replaceChildren();
    $('summary').replaceChildren();
    showMessage(messageKey, kind);
    $('setup-token').value = '';
    $('setup-token').focus();
}

function showOffice() {
    $('view-setup').hidden = true;
    $('view-office').hidden = false;
    $('logout').hidden = false;
    renderOffice();
}

function setFieldError(key) {
    const error = $('setup-token-error');
    error.hidden = !key;
    setText(error, key);
    $('setup-token').toggleAttribute('aria-invalid', Boolean(key));
}

/** What a failed request means for the officer; true when it ended the token (401, 403). */
function explain(error, show) {
    if (!(error instanceof api.ApiError)) {
        console.error(error);
        show('offErrUnknown', { status: '-' });
        return false;
    }
    if (error.status === 401) {
        forgetToken('offTokenInvalid');
        return true;
    }
    if (error.status === 403) {
        forgetToken('offErrForbidden');
        return true;
    }
    if (error.kind === 'network') {
        show('offErrNetwork');
    } else if (error.status >= 500) {
        show('offErrServer');
    } else {
        show('offErrUnknown', { status: error.status });
    }
    return false;
}

// ---- formatting ------------------------------------------------------------------------------

/** An area's or a region's name in the current language, with its code: 郑州市（410105）. */
function areaName(area) {
    const name = language() === 'en' ? area?.nameEn ?? area?.name : area?.name ?? area?.nameEn;
    return name ? t('offAreaName', { name, region: area.region }) : String(area?.region ?? '');
}

// ---- the office: who, and the counts ---------------------------------------------------------

function renderOffice() {
    const me = state.me;
    $('office-title').textContent = me?.name ?? '';
    $('office-areas').textContent = me ? t('offAreas', { areas: me.offices.map(areaName).join(language() === 'en' ? '; ' : '；') }) : '';
    renderSummary();
    renderRegionFilter();
    renderPeople();
}

function renderSummary() {
    const summary = state.summary;
    const template = $('area-template').content.firstElementChild;
    $('summary').replaceChildren(...(summary?.areas ?? []).map((area) => {
        const card = template.cloneNode(true);
        const part = (role) => card.querySelector(`[data-role="${role}"]`);
        card.dataset.region = area.region;
        part('name').textContent = areaName(area);
        for (const [color, label] of [['red', 'offRed'], ['yellow', 'offYellow'], ['green', 'offGreen'], ['total', 'offTotal']]) {
            part(`${color}-label`).textContent = t(label);
            part(color).textContent = t('offCount', { n: formatNumber(area.counts?.[color]) });
        }
        // An area of several declared regions (a prefecture, a province) shows each one's counts.
        const regions = (area.regions ?? []).filter((r) => r.region !== area.region);
        const list = part('regions');
        list.hidden = regions.length === 0;
        list.replaceChildren(...regions.map((region) => {
            const li = document.createElement('li');
            li.textContent = t('offRegionCounts', {
                name: areaName(region), red: formatNumber(region.counts?.red), yellow: formatNumber(region.counts?.yellow), green: formatNumber(region.counts?.green),
            });
            return li;
        }));
        return card;
    }));
    $('summary-as-of').textContent = summary ? t('offAsOf', { time: formatDateTime(summary.asOf) }) : '';
}

/** The region filter: the whole area, each office, and each declared region within them that has anyone. */
function renderRegionFilter() {
    const select = $('filter-region');
    const options = [{ region: '', label: t('offAllAreas') }];
    const seen = new Set(['']);
    const add = (area) => {
        if (!seen.has(area.region)) {
            seen.add(area.region);
            options.push({ region: area.region, label: areaName(area) });
        }
    };
    for (const office of state.me?.offices ?? []) {
        add(office);
    }
    for (const area of state.summary?.areas ?? []) {
        (area.regions ?? []).forEach(add);
    }
    select.replaceChildren(...options.map(({ region, label }) => {
        const option = document.createElement('option');
        option.value = region;
        option.textContent = label;
        return option;
    }));
    select.value = seen.has(state.filters.region) ? state.filters.region : '';
}

async function loadSummary() {
    const token = state.token;
    try {
        const summary = await api.getOfficeSummary(token);
        if (state.token !== token) {
            return;
        }
        tokenUsed();
        state.summary = summary;
        renderSummary();
        renderRegionFilter();
    } catch (error) {
        if (state.token === token) {
            explain(error, (key, params) => showMessage(key, 'error', params));
        }
    }
}

// ---- the people to follow up -----------------------------------------------------------------

function renderPerson(person) {
    const item = $('person-template').content.firstElementChild.cloneNode(true);
    const part = (role) => item.querySelector(`[data-role="${role}"]`);
    const color = person.color === 'red' ? 'red' : 'yellow';
    item.dataset.color = color;
    item.dataset.tail = person.idTail ?? '';
    part('badge').textContent = t(color === 'red' ? 'offBadgeRed' : 'offBadgeYellow');
    part('name').textContent = person.maskedName ?? '';
    part('tail').textContent = t('offTail', { tail: person.idTail ?? '' });

    const phone = part('phone');
    if (person.phone) {
        phone.href = `tel:${person.phone}`;
        phone.textContent = t('offCall', { phone: person.phone });
        part('phone-of').textContent = person.phoneOf === 'holder' ? t('offPhoneHolder') : t('offPhoneSelf');
    } else {
        phone.removeAttribute('href');
        phone.textContent = t('offNoPhone');
    }

    part('reasons').replaceChildren(...(person.reasons ?? []).map((reason) => {
        const li = document.createElement('li');
        li.dataset.code = reason.code ?? '';
        li.textContent = localized(reason) ?? reason.code ?? '';
        if (reason.source) {
            li.append(t('offReasonSource', { name: reason.source.name ?? reason.source.code ?? '' }));
        }
        return li;
    }));
    part('since').textContent = t('offSince', { color: t(color === 'red' ? 'offColorRed' : 'offColorYellow'), time: formatDateTime(person.since) });
    part('region').textContent = t('offRegion', { name: areaName({ region: person.region, name: person.regionName, nameEn: person.regionNameEn }) });
    return item;
}

function renderPeople() {
    $('people').replaceChildren(...state.people.map(renderPerson));
    $('more').hidden = !state.cursor || state.loading;
    const status = $('list-status');
    const [key, params, kind] = state.listStatus ?? [null];
    status.hidden = !key;
    status.dataset.kind = kind ?? 'info';
    setText(status, key ?? null, params);
}

function statusOfList() {
    if (state.people.length === 0) {
        return [state.filters.color || state.filters.region ? 'offEmptyFiltered' : 'offEmpty', undefined, 'empty'];
    }
    return [state.cursor ? 'offShownMore' : 'offShown', { n: state.people.length }, 'info'];
}

/** The first page of the list for the current filters (`more`: the next page of the same list). */
async function loadPeople({ more = false } = {}) {
    const token = state.token;
    const seq = ++state.seq;
    if (!more) {
        state.people = [];
        state.cursor = null;
    }
    state.loading = true;
    state.listStatus = ['offLoading', undefined, 'info'];
    renderPeople();
    try {
        const page = await api.listOfficePeople(token, {
            color: state.filters.color, region: state.filters.region, cursor: more ? state.cursor : null, limit: PAGE_SIZE,
        });
        if (seq !== state.seq) {
            return;
        }
        tokenUsed();
        state.people = [...state.people, ...(page.items ?? [])];
        state.cursor = page.nextCursor ?? null;
        state.listStatus = statusOfList();
    } catch (error) {
        if (seq !== state.seq) {
            return;
        }
        if (explain(error, (key, params) => { state.listStatus = [key, params, 'error']; })) {
            return;
        }
    } finally {
        if (seq === state.seq) {
            state.loading = false;
            renderPeople();
        }
    }
}

function refresh() {
    checkTokenAge();
    if (!state.token) {
        return;
    }
    showMessage(null);
    loadSummary();
    loadPeople();
}

// ---- setup -----------------------------------------------------------------------------------

async function onSetupSubmit(event) {
    event.preventDefault();
    const token = $('setup-token').value.trim();
    setFieldError(null);
    showMessage(null);
    if (!token) {
        setFieldError('offTokenRequired');
        $('setup-token').focus();
        return;
    }
    const button = $('setup-save');
    button.disabled = true;
    setText(button, 'offChecking');
    try {
        const me = await api.getOfficeMe(token);
        const now = Date.now();
        state.token = token;
        state.times = { savedAt: now, usedAt: now };
        state.me = me;
        storeToken();
        $('setup-token').value = '';
        showOffice();
        $('office-title').focus();
        refresh();
    } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) {
            setFieldError('offTokenInvalid');
        } else if (error instanceof api.ApiError && error.status === 403) {
            setFieldError('offTokenNotOffice');
        } else {
            explain(error, (key, params) => showMessage(key, 'error', params));
        }
        $('setup-token').focus();
    } finally {
        button.disabled = false;
        setText(button, 'offSetupSave');
    }
}

/** A token kept from earlier in this tab: checked again before anything is shown with it. */
async function resume(stored) {
    state.token = stored.token;
    state.times = { savedAt: stored.savedAt, usedAt: stored.usedAt };
    try {
        state.me = await api.getOfficeMe(stored.token);
        tokenUsed();
        showOffice();
        refresh();
    } catch (error) {
        // A refused token is forgotten (explain says why); after network or server trouble the officer pastes it again.
        showSetup(null);
        explain(error, (key, params) => showMessage(key, 'error', params));
    }
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
    document.documentElement.lang = locale();
    $('lang-switch').lang = language() === 'en' ? 'zh-CN' : 'en';
    translate(document);
    if (!$('view-office').hidden) {
        renderOffice();
    }
}

// ---- start -----------------------------------------------------------------------------------

function wire() {
    $('lang-switch').addEventListener('click', () => {
        setLanguage(language() === 'en' ? 'zh' : 'en');
        applyLanguage();
    });
    $('logout').addEventListener('click', (event) => {
        event.preventDefault();
        forgetToken('offLoggedOut', 'info');
    });
    $('setup-form').addEventListener('submit', onSetupSubmit);
    $('filters').addEventListener('submit', (event) => event.preventDefault());
    $('filters').addEventListener('change', () => {
        state.filters = {
            color: $('filters').querySelector('input[name="color"]:checked')?.value ?? '',
            region: $('filter-region').value,
        };
        checkTokenAge();
        if (state.token) {
            loadPeople();
        }
    });
    $('refresh').addEventListener('click', refresh);
    $('more').addEventListener('click', () => {
        checkTokenAge();
        if (state.token && state.cursor && !state.loading) {
            loadPeople({ more: true });
        }
    });
    setInterval(checkTokenAge, TOKEN_CHECK_MS);
}

wire();
applyLanguage();
const stored = officeToken.read();
if (stored) {
    resume(stored);
} else {
    showSetup();
}
