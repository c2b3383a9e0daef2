// GB/T 2260 place names on the resident page: a picker (province, city, district, with search) for every region
// field, and the place name beside every region code the page shows. The names come from the service's own table
// (`GET /api/v1/regions`, the one it validates declarations against), cached by the browser for a day.
//
// The table has province- and prefecture-level rows only (RegionCodes.cs): a county-level code (410105) is valid
// when its prefecture (410100) is listed, and is named by its prefecture and its own code.

import * as api from './api.js';
import { language, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const MAX_RESULTS = 40;

/** code → {code, name, nameEn}; null until loaded. */
let table = null;
let loading = null;

/** Fetches the table once (again after a failure); resolves when it is there or could not be had. */
export function loadRegions() {
    loading ??= api.getRegions()
        .then((list) => {
            table = new Map((list?.regions ?? []).map((row) => [row.code, row]));
            refreshRegionNames();
        })
        .catch(() => {
            // Offline or a server error: codes stay usable as typed; the next picker opening tries again.
            loading = null;
        });
    return loading;
}

const nameOf = (row) => (language() === 'en' ? row.nameEn || row.name : row.name);
const provinceOf = (code) => table?.get(`${code.slice(0, 2)}0000`) ?? null;
const cityOf = (code) => table?.get(`${code.slice(0, 4)}00`) ?? null;
const isProvince = (code) => code.endsWith('0000');
const isCity = (code) => !isProvince(code) && code.endsWith('00');

/**
 * The place a 6-digit code names, as its path: `河南省 · 郑州市`, `河南省 · 郑州市 · 区县 410105`; null when the
 * code is not one the table knows (or the table is not loaded yet).
 */
export function placeName(code) {
    const value = String(code ?? '').trim();
    if (!table || !/^\d{6}$/.test(value)) {
        return null;
    }
    const province = provinceOf(value);
    if (!province) {
        return null;
    }
    if (isProvince(value)) {
        return nameOf(province);
    }
    const city = cityOf(value);
    if (!city) {
        return null;
    }
    const path = [nameOf(province), nameOf(city)];
    if (!isCity(value)) {
        path.push(t('regionCounty', { code: value }));
    }
    return path.join(' · ');
}

/** The province's name for an issuer (`410000` → 河南省), or the code itself. */
export function provinceName(code) {
    const row = table?.get(String(code ?? ''));
    return row ? nameOf(row) : String(code ?? '');
}

// ---- names beside the inputs ------------------------------------------------------------------------

/** Writes the place name under every region input (`[data-region-input]`) from its current value. */
export function refreshRegionNames(root = document) {
    for (const input of root.querySelectorAll('[data-region-input]')) {
        const out = input.closest('.field')?.querySelector(':scope > .region-name');
        if (!out) {
            continue;
        }
        const value = input.value.trim();
        const name = placeName(value);
        out.dataset.code = /^\d{6}$/.test(value) ? value : '';
        out.classList.toggle('unknown', Boolean(table && /^\d{6}$/.test(value) && !name));
        out.textContent = name ?? (table && /^\d{6}$/.test(value) ? t('regionUnknown') : '');
    }
}

// ---- the picker -------------------------------------------------------------------------------------

const picker = {
    /** The input the picker fills. */
    input: null,
    /** The province and city chosen so far (codes), or null. */
    province: null,
    city: null,
};

function button(label, onClick, dataset = {}) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'region-option';
    b.textContent = label;
    Object.assign(b.dataset, dataset);
    b.addEventListener('click', onClick);
    li.append(b);
    return li;
}

function rows() {
    return table ? [...table.values()] : [];
}

function choose(code) {
    const input = picker.input;
    input.value = code;
    // What the resident's own typing would do: the prefill forgets the field, errors re-check, names update.
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    $('region-dialog').close();
    input.focus();
}

function renderStep() {
    const list = $('region-options');
    const crumbs = $('region-crumbs');
    const county = $('region-county');
    const query = $('region-search').value.trim();
    county.hidden = true;
    $('region-back').hidden = Boolean(query) || !picker.province;
    if (!table) {
        crumbs.textContent = '';
        list.replaceChildren(Object.assign(document.createElement('li'), { className: 'hint', textContent: t('regionLoading') }));
        return;
    }
    if (query) {
        crumbs.textContent = t('regionSearchResults');
        list.replaceChildren(...searchResults(query));
        return;
    }
    if (!picker.province) {
        crumbs.textContent = t('regionChooseProvince');
        list.replaceChildren(...rows().filter((row) => isProvince(row.code)).map((row) =>
            button(nameOf(row), () => goTo(row.code), { code: row.code })));
        return;
    }
    const province = table.get(picker.province);
    if (!picker.city) {
        crumbs.textContent = t('regionChooseCity', { province: nameOf(province) });
        const cities = rows().filter((row) => isCity(row.code) && row.code.startsWith(picker.province.slice(0, 2)));
        list.replaceChildren(
            ...cities.map((row) => button(nameOf(row), () => goTo(row.code), { code: row.code })),
            button(t('regionWholeProvince', { province: nameOf(province) }), () => choose(picker.province), { code: picker.province }));
        return;
    }
    const city = table.get(picker.city);
    crumbs.textContent = t('regionChooseDistrict', { province: nameOf(province), city: nameOf(city) });
    list.replaceChildren(button(t('regionWholeCity', { city: nameOf(city) }), () => choose(picker.city), { code: picker.city }));
    county.hidden = false;
    $('region-county-prefix').textContent = picker.city.slice(0, 4);
    $('region-county-code').value = '';
    $('region-county-error').hidden = true;
}

/** Search by name (either language) or by code; a county code under a listed city is offered as itself. */
function searchResults(query) {
    const needle = query.toLowerCase();
    const found = rows().filter((row) =>
        row.code.startsWith(needle) || row.name.includes(query) || (row.nameEn ?? '').toLowerCase().includes(needle));
    const items = found.slice(0, MAX_RESULTS).map((row) =>
        button(placeName(row.code) ?? nameOf(row), () => goTo(row.code), { code: row.code }));
    if (/^\d{6}$/.test(query) && !isCity(query) && !isProvince(query) && placeName(query)) {
        items.unshift(button(placeName(query), () => choose(query), { code: query }));
    }
    if (!items.length) {
        items.push(Object.assign(document.createElement('li'), { className: 'hint', textContent: t('regionNoMatch') }));
    }
    return items;
}

/** A province opens its cities; a city opens its districts. */
function goTo(code) {
    $('region-search').value = '';
    picker.province = `${code.slice(0, 2)}0000`;
    picker.city = isProvince(code) ? null : `${code.slice(0, 4)}00`;
    renderStep();
    $('region-options').querySelector('button')?.focus();
}

function onCountySubmit() {
    const digits = $('region-county-code').value.trim();
    const code = `${picker.city.slice(0, 4)}${digits}`;
    if (!/^\d{2}$/.test(digits) || digits === '00' || !placeName(code)) {
        const error = $('region-county-error');
        error.textContent = t('regionCountyInvalid');
        error.hidden = false;
        $('region-county-code').focus();
        return;
    }
    choose(code);
}

function back() {
    if (picker.city) {
        picker.city = null;
    } else {
        picker.province = null;
    }
    renderStep();
}

/** Opens the picker for `input`, at the place its code already names. */
export function openRegionPicker(input) {
    picker.input = input;
    const value = input.value.trim();
    picker.province = /^\d{6}$/.test(value) && provinceOf(value) ? `${value.slice(0, 2)}0000` : null;
    picker.city = picker.province && !isProvince(value) && cityOf(value) ? `${value.slice(0, 4)}00` : null;
    $('region-search').value = '';
    renderStep();
    $('region-dialog').showModal();
    $('region-search').focus();
    if (!table) {
        loadRegions().then(renderStep);
    }
}

/** Wires the picker dialog and every `[data-region-pick]` button (now and later: travel rows are added). */
export function initRegions() {
    document.addEventListener('click', (event) => {
        const pick = event.target.closest?.('[data-region-pick]');
        if (pick) {
            const input = pick.closest('.field')?.querySelector('[data-region-input]');
            if (input) {
                openRegionPicker(input);
            }
        }
    });
    document.addEventListener('input', (event) => {
        if (event.target.matches?.('[data-region-input]')) {
            refreshRegionNames(event.target.closest('.field'));
        }
    });
    $('region-search').addEventListener('input', renderStep);
    $('region-back').addEventListener('click', back);
    $('region-close').addEventListener('click', () => $('region-dialog').close());
    $('region-county-ok').addEventListener('click', onCountySubmit);
    $('region-county-code').addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
            event.preventDefault();
            onCountySubmit();
        }
    });
    loadRegions();
}

/** Re-renders names and an open picker in the current language. */
export function renderRegions() {
    refreshRegionNames();
    if ($('region-dialog').open) {
        renderStep();
    }
}
