// The sharing catalogue page (DESIGN §9, 政务信息资源目录): every dataset the health code uses, published to society,
// with who provides it, why, how it is shared, how often it is updated and whether it is late. Public: no login.
// Every value from the service is set as text (textContent), never as HTML.

import * as api from './api.js';
import { formatDateTime, formatNumber, language, locale, setLanguage, setText, t, translate } from './i18n.js';
import { cycleWords } from './catalog-i18n.js';

const $ = (id) => document.getElementById(id);

const state = {
    /** `{asOf, entries}` as the service answered; re-rendered when the language changes. */
    catalog: null,
    /** The text key of the page's message (loading, or what went wrong), or null. */
    message: null,
};

// ---- formatting ------------------------------------------------------------------------------

function dateOnly(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso ?? '') : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(date);
}

/** "3 hours ago", measured from the service's own `asOf`, so a phone with a wrong clock still says it right. */
function ago(iso, asOf) {
    const seconds = (Date.parse(asOf) - Date.parse(iso)) / 1000;
    if (Number.isNaN(seconds)) {
        return '';
    }
    const format = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
    const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
    const [unit, size] = units.find(([, length]) => Math.abs(seconds) >= length) ?? ['second', 1];
    return format.format(-Math.round(seconds / size), unit);
}

// ---- rendering -------------------------------------------------------------------------------

function renderEntry(entry, asOf) {
    const item = $('entry-template').content.firstElementChild.cloneNode(true);
    translate(item);
    const part = (role) => item.querySelector(`[data-role="${role}"]`);
    const stateName = entry.late ? 'late' : entry.sharing?.type === 'none' ? 'not-shared' : 'on-time';
    item.dataset.state = stateName;
    item.dataset.code = entry.code;

    part('name').textContent = entry.name;
    const badge = part('badge');
    badge.textContent = t({ late: 'catBadgeLate', 'not-shared': 'catBadgeNotShared', 'on-time': 'catBadgeOnTime' }[stateName]);
    if (entry.late) {
        const note = part('late-note');
        note.hidden = false;
        note.textContent = t(entry.lastBatchAt ? 'catLateSince' : 'catLateNoBatch', { time: formatDateTime(entry.lateSince) });
    }
    part('summary').textContent = entry.summary;
    part('provider').textContent = entry.providerName
        ? t('catProviderValue', { name: entry.providerName, code: entry.provider })
        : t('catProviderUnknown', { code: entry.provider });
    part('code').textContent = entry.code;
    part('kind').textContent = t(`kind_${entry.kind}`);
    const cycle = cycleWords(entry.updateCycle);
    part('cycle').textContent = cycle ? t(cycle.key, cycle.params) : entry.updateCycle;
    part('cycle').title = entry.updateCycle;
    part('last-batch').textContent = entry.lastBatchAt
        ? t('catAgo', { time: formatDateTime(entry.lastBatchAt), ago: ago(entry.lastBatchAt, asOf) })
        : t('catNoBatch');
    part('rows').textContent = entry.lastBatchAt ? t('catRowsValue', { n: formatNumber(entry.rows) }) : '—';
    const sharing = t(`sharing_${entry.sharing?.type}`);
    part('sharing').textContent = entry.sharing?.conditions ? t('catConditions', { type: sharing, conditions: entry.sharing.conditions }) : sharing;
    part('method').textContent = t(`method_${entry.sharing?.method}`);
    part('retention').textContent = t('catRetentionDays', { n: formatNumber(entry.retentionDays) });
    part('legal-basis').textContent = entry.legalBasis;
    part('purpose').textContent = entry.purpose;
    part('published').textContent = dateOnly(entry.publishedAt);

    const items = entry.items ?? [];
    part('items-title').textContent = t('catItems', { n: items.length });
    const list = part('items');
    for (const column of items) {
        const li = document.createElement('li');
        const name = document.createElement('code');
        name.textContent = column.name;
        li.append(name, ` · ${column.type}`);
        list.append(li);
    }
    return item;
}

function render() {
    const message = $('message');
    message.classList.toggle('shown', state.message !== null);
    message.dataset.kind = state.message && state.message !== 'catLoading' ? 'error' : '';
    setText($('message-text'), state.message);

    const list = $('catalog-list');
    list.replaceChildren();
    const summary = $('catalog-summary');
    if (!state.catalog) {
        summary.hidden = true;
        return;
    }
    const { asOf, entries } = state.catalog;
    const late = entries.filter((e) => e.late).length;
    summary.hidden = false;
    summary.dataset.late = String(late > 0);
    $('summary-text').textContent = entries.length === 0
        ? t('catEmpty')
        : t(late > 0 ? 'catSummary' : 'catSummaryNoneLate', { n: entries.length, late });
    $('summary-as-of').textContent = t('catAsOf', { time: formatDateTime(asOf) });
    list.append(...entries.map((entry) => renderEntry(entry, asOf)));
}

// ---- loading ---------------------------------------------------------------------------------

async function load() {
    state.message = 'catLoading';
    render();
    try {
        state.catalog = await api.getCatalog();
        state.message = null;
    } catch (error) {
        state.message = error.kind === 'network' ? 'errNetwork' : 'errServer';
    }
    render();
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
    document.documentElement.lang = locale();
    $('lang-switch').lang = language() === 'en' ? 'zh-CN' : 'en';
    translate(document);
    render();
}

$('lang-switch').addEventListener('click', () => {
    setLanguage(language() === 'en' ? 'zh' : 'en');
    applyLanguage();
});

applyLanguage();
load();
