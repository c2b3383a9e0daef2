// The checkpoint scanner (DESIGN §2 "checkpoint staff", §5 verify and lookup): a staff token, checked with the service
// when it is saved (GET /api/v1/staff/me, which also gives the token's checkpoint), then codes from the camera (jsQR)
// or a USB scan gun (keyboard wedge), each answered with a full-screen colour, the masked name and ID tail to compare
// with the ID card, the issuer and the route its key is trusted by, a reason when the code is invalid, and a sound.
// Scanning is never blocked: a new scan replaces the answer.

import * as api from './api.js';
import { fieldMessage, language, locale, setLanguage, setText, t, translate } from './i18n.js';
import { FORGERY_ERRORS, reasonKey } from './scan-i18n.js';
import { TOKEN_CHECK_MS, tabToken, tokenExpired } from './tab-token.js';

/**
 * The staff token and its record (`staff`: GET /api/v1/staff/me), kept for this tab only and forgotten after half an
 * hour without a scan or a lookup (tab-token.js).
 */
const staffToken = tabToken('hc.scan.token');
/**
 * localStorage of earlier versions: the staff token for the whole shift, then the checkpoint id typed by hand. The
 * checkpoint now comes from the token; both are removed.
 */
const LEGACY_KEYS = ['hc.scan.staff', 'hc.scan.checkpoint'];
const CAMERA_KEY = 'hc.scan.camera';
/** How often a camera frame is decoded: fast enough to feel instant, light enough for a cheap phone. */
const DECODE_INTERVAL_MS = 150;
/** Frames are scaled down to this width before decoding; a phone screen held up fills far more. */
const DECODE_MAX_WIDTH = 720;
/** A code that stays in view is verified once; it counts as new after this long out of view. */
const SAME_CODE_MS = 3000;
/** How long an answer stays before the panel is ready-looking again (a new scan replaces it at once). */
const RESULT_MS = 5000;
const COLORS = ['green', 'yellow', 'red'];
const SYMBOLS = { idle: '◎', checking: '…', green: '✓', yellow: '!', red: '✕', invalid: '⊘', error: '!' };
const WORDS = { idle: 'resIdle', checking: 'resChecking', green: 'resGreen', yellow: 'resYellow', red: 'resRed', invalid: 'resInvalid', error: 'resError' };
/** The text of each route of a verdict (`route`: own, bilateral, hub); `partner` when a service gives only the source. */
const ROUTES = { own: 'resRouteOwn', bilateral: 'resRouteBilateral', hub: 'resRouteHub', partner: 'resRoutePartner' };
const ACTIONS = { idle: 'resIdleHint', green: 'resGreenAction', yellow: 'resYellowAction', red: 'resRedAction', invalid: 'resInvalidAction' };

const $ = (id) => document.getElementById(id);

const state = {
    /** The token and its staff record `{staffId, name, checkpointId, province: {code, name}, expiresAt}`, both or neither. */
    settings: readSettings(),
    /** When the token was entered and last used (ms since the epoch); kept in memory too, for when storage is off. */
    tokenTimes: tokenTimes(staffToken.read()),
    /** Numbers every request, so a slow answer never replaces a newer one. */
    seq: 0,
    /** What the result panel shows; re-rendered when the language changes. */
    result: { kind: 'idle' },
    resultTimer: 0,
    /** The last text the camera decoded and when it was last in view (debounce). */
    lastCamera: { text: '', seenAt: 0 },
    camera: { stream: null, timer: 0, context: null, wakeLock: null },
    lookupBusy: false,
    setupBusy: false,
};

// ---- settings --------------------------------------------------------------------------------

function tokenTimes(stored) {
    return { savedAt: stored?.savedAt ?? 0, usedAt: stored?.usedAt ?? 0 };
}

function readSettings() {
    try {
        LEGACY_KEYS.forEach((key) => localStorage.removeItem(key));
    } catch {
        // Storage off: nothing was kept there either.
    }
    const stored = staffToken.read();
    return stored?.staff?.checkpointId ? { token: stored.token, staff: stored.staff } : { token: null, staff: null };
}

function saveSettings(settings) {
    const now = Date.now();
    if (settings.token !== state.settings?.token) {
        state.tokenTimes = { savedAt: now, usedAt: now };
    }
    state.settings = settings;
    storeToken();
}

function storeToken() {
    // tab-token.js keeps every field of the times: the staff record goes with its token, and goes when it goes.
    staffToken.store(state.settings.token, { ...state.tokenTimes, staff: state.settings.staff });
}

/** An answered scan or lookup: the checkpoint is in use, the idle limit starts again. */
function tokenUsed() {
    state.tokenTimes.usedAt = Date.now();
    storeToken();
}

/** Forgets the token and its record, and asks for a token again, saying why. */
function forgetToken(messageKey) {
    saveSettings({ token: null, staff: null });
    showSetup(messageKey, messageKey === 'scanLoggedOut' ? 'info' : 'error');
}

/**
 * Past its idle or shift limit while the page stayed open, or past the expiry the service gave it (timers also catch
 * up after a phone wakes).
 */
function checkTokenAge() {
    if (!state.settings.token) {
        return false;
    }
    const expiresAt = Date.parse(state.settings.staff?.expiresAt ?? '');
    if (Date.now() >= expiresAt) {
        forgetToken('setupTokenExpired');
        return true;
    }
    if (tokenExpired(state.tokenTimes, Date.now())) {
        forgetToken('scanTokenForgotten');
        return true;
    }
    return false;
}

/**
 * An operator can hand out a link or a QR of `scan.html#token=...`. The fragment never reaches a server; the token is
 * taken from it and removed from the address bar and the history, so it is not left on screen or in a bookmark. A
 * `checkpoint=` of older links is ignored: the token says which checkpoint it is for.
 */
function takeFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (!params.has('token') && !params.has('checkpoint')) {
        return null;
    }
    history.replaceState(null, '', location.pathname + location.search);
    return params.get('token')?.trim() || null;
}

function isSetUp() {
    return Boolean(state.settings.token && state.settings.staff?.checkpointId);
}

function checkpointId() {
    return state.settings.staff?.checkpointId ?? '';
}

// ---- views and messages ----------------------------------------------------------------------

function showMessage(key, kind = 'info', params = undefined) {
    const box = $('message');
    box.dataset.kind = kind;
    box.classList.add('shown');
    setText($('message-text'), key, params);
}

function clearMessage() {
    $('message').classList.remove('shown');
    setText($('message-text'), null);
}

function showSetup(messageKey = null, kind = 'error') {
    stopCamera();
    resetResult();
    $('view-scan').hidden = true;
    $('view-setup').hidden = false;
    $('change-setup').hidden = true;
    $('logout').hidden = true;
    $('setup-token').value = state.settings.token ?? '';
    clearFieldErrors($('setup-form'));
    if (messageKey) {
        showMessage(messageKey, kind);
    } else {
        clearMessage();
    }
    $('setup-token').focus();
}

function showScan() {
    $('view-setup').hidden = true;
    $('view-scan').hidden = false;
    $('change-setup').hidden = false;
    $('logout').hidden = false;
    renderStaff();
    selectTab('scan');
    if (readCameraPreference()) {
        startCamera();
    }
}

/** Who is signed in, at which checkpoint of which province: from the token's own record, never typed. */
function renderStaff() {
    const staff = state.settings.staff;
    const line = $('scan-checkpoint');
    line.dataset.checkpoint = staff?.checkpointId ?? '';
    setText(line, staff ? 'scanSignedIn' : null, staff
        ? { name: staff.name ?? '', id: staff.checkpointId, province: staff.province?.name ?? '' }
        : undefined);
}

/** Any call answered 401: the token is missing, forged, expired or revoked (DESIGN §5 staff). */
function staffTokenRejected() {
    forgetToken('errStaffToken');
}

/** A staff token is issued for one checkpoint; the service refuses requests naming another (400). */
function isCheckpointMismatch(error) {
    return error instanceof api.ApiError && error.status === 400
        && (error.problem?.errors ?? []).some((e) => e?.code === 'checkpoint_mismatch' || e?.field === 'checkpointId');
}

/** The page sends the checkpoint the token's record gave; a refusal means that record is out of date: check the token again. */
function checkpointRejected() {
    forgetToken('errCheckpointMismatch');
}

/** What to tell the staff member when the service refuses a token at set-up, by the 401's stable code. */
const TOKEN_REFUSALS = {
    staff_token_missing: 'setupTokenInvalid',
    staff_token_invalid: 'setupTokenInvalid',
    staff_token_expired: 'setupTokenExpired',
    staff_token_revoked: 'setupTokenRevoked',
};

function onSetupSubmit(event) {
    event.preventDefault();
    clearFieldErrors($('setup-form'));
    const token = $('setup-token').value.trim();
    if (!token) {
        tokenError('setupTokenRequired', 'required');
        return;
    }
    checkToken(token);
}

/** Asks the service whose token this is (GET /api/v1/staff/me); only a token it answers for is kept. */
async function checkToken(token) {
    if (state.setupBusy) {
        return;
    }
    state.setupBusy = true;
    const button = $('setup-save');
    button.disabled = true;
    setText(button, 'setupChecking');
    clearMessage();
    try {
        const staff = await api.getStaffMe(token);
        saveSettings({ token, staff });
        showScan();
        showMessage('setupSaved', 'success');
    } catch (error) {
        refuseToken(error);
    } finally {
        state.setupBusy = false;
        button.disabled = false;
        setText(button, 'setupSave');
    }
}

function refuseToken(error) {
    if (!(error instanceof api.ApiError)) {
        console.error(error);
        tokenError('setupTokenUnknown', 'unknown', { status: '-' });
        return;
    }
    const code = error.problem?.code ?? '';
    if (error.status === 401) {
        const key = TOKEN_REFUSALS[code] ?? 'setupTokenInvalid';
        if (key !== 'setupTokenInvalid') {
            // Expired or revoked: no use correcting it; a new one is needed.
            $('setup-token').value = '';
        }
        tokenError(key, code || 'staff_token_invalid');
    } else if (error.kind === 'network') {
        tokenError('setupTokenNetwork', 'network');
    } else if (error.status >= 500) {
        tokenError('setupTokenServer', String(error.status));
    } else {
        tokenError('setupTokenUnknown', String(error.status), { status: error.status });
    }
}

function tokenError(key, code, params = undefined) {
    const input = $('setup-token');
    const error = $('setup-token-error');
    input.setAttribute('aria-invalid', 'true');
    error.dataset.code = code;
    setText(error, key, params);
    error.hidden = false;
    input.focus();
}

/**
 * A token kept from earlier in this tab: its record is asked for again, so a token revoked or changed since is caught
 * now rather than at the next scan. Offline, the kept record stands: a checkpoint must keep working without a network.
 */
async function refreshStaff() {
    const token = state.settings.token;
    try {
        const staff = await api.getStaffMe(token);
        if (state.settings.token === token) {
            saveSettings({ token, staff });
            renderStaff();
        }
    } catch (error) {
        if (error instanceof api.ApiError && error.status === 401 && state.settings.token === token) {
            staffTokenRejected();
        }
    }
}

function selectTab(name) {
    $('view-scan').dataset.tab = name;
    for (const tab of ['scan', 'lookup']) {
        const selected = tab === name;
        $(`tab-${tab}`).setAttribute('aria-selected', String(selected));
        $(`panel-${tab}`).hidden = !selected;
    }
    if (name === 'scan') {
        focusWedge();
    } else {
        $('lookup-id').focus();
    }
}

function scanTabActive() {
    return !$('view-scan').hidden && !$('panel-scan').hidden;
}

// ---- field errors (set-up and lookup forms) ---------------------------------------------------

function showFieldError(input, message) {
    const error = input.closest('.field')?.querySelector('.field-error');
    input.setAttribute('aria-invalid', 'true');
    if (error) {
        error.textContent = message;
        error.hidden = false;
    }
}

function clearFieldErrors(form) {
    for (const input of form.querySelectorAll('[aria-invalid]')) {
        input.removeAttribute('aria-invalid');
    }
    for (const error of form.querySelectorAll('.field-error')) {
        error.hidden = true;
        error.textContent = '';
    }
}

// ---- the answer ------------------------------------------------------------------------------

/**
 * Shows `result` in the panel and tints the page. `result.kind` is `idle`, `checking`, a colour,
 * `invalid` (the code was read but does not verify) or `error` (it could not be checked at all).
 */
function showResult(result) {
    state.result = result;
    clearTimeout(state.resultTimer);
    if (!['idle', 'checking'].includes(result.kind)) {
        state.resultTimer = setTimeout(resetResult, RESULT_MS);
    }
    renderResult();
}

function resetResult() {
    clearTimeout(state.resultTimer);
    state.result = { kind: 'idle' };
    renderResult();
}

function renderResult() {
    const result = state.result;
    const panel = $('result');
    panel.dataset.result = result.kind;
    panel.dataset.severity = result.severity ?? '';
    document.body.dataset.result = result.kind;
    $('result-symbol').textContent = SYMBOLS[result.kind] ?? '';
    setText($('result-word'), WORDS[result.kind]);
    const action = ACTIONS[result.kind];
    setText($('result-action'), action ?? null);
    $('result-action').hidden = !action;

    const person = Boolean(result.name || result.tail);
    $('result-person').hidden = !person;
    $('result-name').textContent = result.name || '—';
    $('result-tail').textContent = result.tail || '—';
    $('result-issuer-row').hidden = !result.issuerName && !result.issuer;
    $('result-issuer').textContent = result.issuerName
        ? `${result.issuerName}${result.issuer ? ` · ${result.issuer}` : ''}`
        : (result.issuer ?? '');
    // How the issuer's key is trusted: this province's own, a partner pinned here (bilateral) or vouched for by the
    // national hub. A service without the route says only whether it is a partner.
    const route = ROUTES[result.route] ? result.route : (result.source === 'partner' ? 'partner' : null);
    const routeText = $('result-route');
    routeText.hidden = !route;
    routeText.dataset.route = route ?? '';
    setText(routeText, route ? ROUTES[route] : null);

    const reason = $('result-reason');
    reason.hidden = !result.reason;
    reason.dataset.code = result.reason?.code ?? '';
    setText(reason, result.reason?.key ?? null, result.reason?.params);

    const meta = $('result-meta');
    if (result.lookup) {
        setText(meta, 'resLookup');
    } else if (result.expiresAt && COLORS.includes(result.kind)) {
        setText(meta, 'resExpires', { time: formatTime(result.expiresAt) });
    } else {
        setText(meta, null);
    }
    panel.title = result.kind === 'idle' ? '' : t('resDismiss');
}

function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
        ? ''
        : new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);
}

/** The verdict of `POST /verify` as a result; only a valid verdict with a colour is ever a colour. */
function verdictResult(verdict) {
    const colour = verdict?.valid === true && COLORS.includes(verdict.color) ? verdict.color : null;
    if (colour) {
        return {
            kind: colour,
            name: verdict.maskedName,
            tail: verdict.idTail,
            issuer: verdict.issuer,
            issuerName: verdict.issuerName,
            source: verdict.source,
            route: verdict.route,
            expiresAt: verdict.expiresAt,
        };
    }
    const code = verdict?.error?.code ?? 'malformed';
    return {
        kind: 'invalid',
        severity: FORGERY_ERRORS.includes(code) ? 'forged' : 'retry',
        // Whatever the code says about a person is not shown when it does not verify.
        reason: { code, ...reasonKey(code) },
    };
}

// ---- verify ----------------------------------------------------------------------------------

async function verify(text) {
    const qr = text.trim();
    if (!qr || !isSetUp() || checkTokenAge()) {
        return;
    }
    clearMessage();
    const seq = ++state.seq;
    showResult({ kind: 'checking' });
    let result;
    try {
        result = verdictResult(await api.verifyCode(state.settings.token, qr, checkpointId()));
        tokenUsed();
    } catch (error) {
        if (error instanceof api.ApiError && error.status === 401) {
            staffTokenRejected();
            return;
        }
        if (isCheckpointMismatch(error)) {
            checkpointRejected();
            return;
        }
        result = failureResult(error);
    }
    if (seq !== state.seq) {
        return; // A newer scan is on its way; its answer is the one to show.
    }
    showResult(result);
    beep(result.kind);
    if (scanTabActive()) {
        focusWedge();
    }
}

function failureResult(error) {
    if (!(error instanceof api.ApiError)) {
        console.error(error);
        return { kind: 'error', reason: { key: 'errScanUnknown', params: { status: '-' } } };
    }
    if (error.kind === 'network') {
        return { kind: 'error', reason: { key: 'errScanNetwork' } };
    }
    if (error.status >= 500) {
        return { kind: 'error', reason: { key: 'errScanServer' } };
    }
    return { kind: 'error', reason: { key: 'errScanUnknown', params: { status: error.status } } };
}

// ---- scan gun (keyboard wedge) ---------------------------------------------------------------

function focusWedge() {
    const wedge = $('wedge');
    if (scanTabActive() && document.activeElement !== wedge) {
        wedge.focus({ preventScroll: true });
    }
}

function onWedgeSubmit(event) {
    event.preventDefault();
    const wedge = $('wedge');
    const text = wedge.value;
    wedge.value = '';
    verify(text);
}

function isEditable(el) {
    return el instanceof HTMLElement && (el.matches('input, textarea, select') || el.isContentEditable);
}

/**
 * A scan gun types wherever the focus is. If a staff member tapped a button, the next code would
 * land nowhere and its Enter would press that button: printable keys typed outside a text field
 * move the focus back to the scan gun input first, so they land there.
 */
function onKeyDown(event) {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) {
        return;
    }
    if (scanTabActive() && !isEditable(document.activeElement)) {
        focusWedge();
    }
}

// ---- camera ----------------------------------------------------------------------------------

function readCameraPreference() {
    try {
        return localStorage.getItem(CAMERA_KEY) === 'on';
    } catch {
        return false;
    }
}

function saveCameraPreference(on) {
    try {
        localStorage.setItem(CAMERA_KEY, on ? 'on' : 'off');
    } catch {
        // Not remembered.
    }
}

function cameraStatus(key, kind = 'info', params = undefined) {
    const status = $('camera-status');
    status.dataset.kind = kind;
    setText(status, key, params);
}

function cameraProblem(error) {
    switch (error?.name) {
        case 'NotAllowedError':
        case 'SecurityError':
        case 'PermissionDeniedError':
            return ['camDenied'];
        case 'NotFoundError':
        case 'OverconstrainedError':
        case 'DevicesNotFoundError':
            return ['camNone'];
        case 'NotReadableError':
        case 'TrackStartError':
        case 'AbortError':
            return ['camBusy'];
        default:
            return ['camFailed', { name: error?.name ?? '?' }];
    }
}

async function startCamera() {
    if (state.camera.stream) {
        return;
    }
    if (typeof window.jsQR !== 'function') {
        cameraStatus('camNoDecoder', 'error');
        return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
        cameraStatus(window.isSecureContext ? 'camNone' : 'camInsecure', 'error');
        return;
    }
    cameraStatus('camStarting');
    $('camera-toggle').disabled = true;
    let stream;
    try {
        stream = await navigator.mediaDevices.getUserMedia({
            video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
            audio: false,
        });
    } catch (error) {
        const [key, params] = cameraProblem(error);
        cameraStatus(key, 'error', params);
        // Do not ask again on every visit after a refusal; the button still tries.
        saveCameraPreference(false);
        return;
    } finally {
        $('camera-toggle').disabled = false;
        focusWedge();
    }
    if ($('view-scan').hidden) {
        stream.getTracks().forEach((track) => track.stop());
        return;
    }
    state.camera.stream = stream;
    const video = $('camera-video');
    video.srcObject = stream;
    video.hidden = false;
    $('camera').dataset.on = 'true';
    try {
        await video.play();
    } catch {
        // Autoplay of a muted, inline video is allowed; frames are read from it either way.
    }
    setText($('camera-toggle'), 'camStop');
    cameraStatus('camOn');
    saveCameraPreference(true);
    keepScreenOn();
    state.camera.timer = setTimeout(decodeFrame, DECODE_INTERVAL_MS);
}

function stopCamera() {
    const camera = state.camera;
    clearTimeout(camera.timer);
    camera.timer = 0;
    if (camera.stream) {
        camera.stream.getTracks().forEach((track) => track.stop());
        camera.stream = null;
    }
    camera.wakeLock?.release().catch(() => {});
    camera.wakeLock = null;
    const video = $('camera-video');
    video.srcObject = null;
    video.hidden = true;
    $('camera').dataset.on = 'false';
    setText($('camera-toggle'), 'camStart');
    cameraStatus(null);
}

function decodeFrame() {
    const camera = state.camera;
    camera.timer = 0;
    if (!camera.stream) {
        return;
    }
    const video = $('camera-video');
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const scale = Math.min(1, DECODE_MAX_WIDTH / video.videoWidth);
        const width = Math.round(video.videoWidth * scale);
        const height = Math.round(video.videoHeight * scale);
        const canvas = $('camera-canvas');
        if (canvas.width !== width || canvas.height !== height || !camera.context) {
            canvas.width = width;
            canvas.height = height;
            camera.context = canvas.getContext('2d', { willReadFrequently: true });
        }
        camera.context.drawImage(video, 0, 0, width, height);
        const image = camera.context.getImageData(0, 0, width, height);
        // Phone screens show dark modules on light; skipping the inverted pass halves the work.
        const code = window.jsQR(image.data, width, height, { inversionAttempts: 'dontInvert' });
        if (code?.data) {
            onCameraText(code.data);
        }
    }
    camera.timer = setTimeout(decodeFrame, DECODE_INTERVAL_MS);
}

function onCameraText(text) {
    const now = performance.now();
    const last = state.lastCamera;
    if (text === last.text && now - last.seenAt < SAME_CODE_MS) {
        last.seenAt = now; // Still the same phone in front of the camera: one verify is enough.
        return;
    }
    state.lastCamera = { text, seenAt: now };
    verify(text);
}

async function keepScreenOn() {
    try {
        state.camera.wakeLock = await navigator.wakeLock?.request('screen') ?? null;
    } catch {
        // Not supported or not allowed: the phone's own settings decide.
    }
}

// ---- sound -----------------------------------------------------------------------------------

let audio = null;

function audioContext() {
    try {
        audio ??= new (window.AudioContext ?? window.webkitAudioContext)();
        if (audio.state === 'suspended') {
            audio.resume().catch(() => {});
        }
    } catch {
        audio = null; // No Web Audio: the screen alone has to do.
    }
    return audio;
}

// [frequency Hz, start s, length s, waveform]: one short high beep to pass, two for yellow, three
// low buzzes to stop, one long low buzz for a code that cannot be accepted.
const BEEPS = {
    green: [[1320, 0, 0.12, 'sine']],
    yellow: [[740, 0, 0.12, 'triangle'], [740, 0.2, 0.12, 'triangle']],
    red: [[330, 0, 0.15, 'square'], [330, 0.22, 0.15, 'square'], [330, 0.44, 0.15, 'square']],
    invalid: [[200, 0, 0.5, 'sawtooth']],
    error: [[200, 0, 0.5, 'sawtooth']],
};

function beep(kind) {
    const tones = BEEPS[kind];
    const ctx = tones ? audioContext() : null;
    if (!ctx) {
        return;
    }
    const now = ctx.currentTime + 0.01;
    for (const [frequency, at, length, type] of tones) {
        const oscillator = ctx.createOscillator();
        const gain = ctx.createGain();
        oscillator.type = type;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, now + at);
        gain.gain.exponentialRampToValueAtTime(0.35, now + at + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + at + length);
        oscillator.connect(gain).connect(ctx.destination);
        oscillator.start(now + at);
        oscillator.stop(now + at + length + 0.02);
    }
}

// ---- ID card lookup --------------------------------------------------------------------------

function lookupMessage(key, params = undefined) {
    const box = $('lookup-message');
    box.hidden = !key;
    setText(box, key, params);
}

async function onLookup(event) {
    event.preventDefault();
    if (state.lookupBusy || checkTokenAge()) {
        return;
    }
    const form = $('lookup-form');
    clearFieldErrors(form);
    lookupMessage(null);
    const idInput = $('lookup-id');
    const nameInput = $('lookup-name');
    const idNumber = idInput.value.trim().toUpperCase();
    const name = nameInput.value.trim();
    if (!idNumber || !name) {
        if (!name) {
            showFieldError(nameInput, t('lkRequiredName'));
        }
        if (!idNumber) {
            showFieldError(idInput, t('lkRequiredId'));
        }
        (idNumber ? nameInput : idInput).focus();
        return;
    }

    state.lookupBusy = true;
    const button = $('lookup-submit');
    button.disabled = true;
    setText(button, 'lkSearching');
    const seq = ++state.seq;
    resetResult();
    try {
        const answer = await api.lookupResident(state.settings.token, idNumber, name, checkpointId());
        tokenUsed();
        const kind = COLORS.includes(answer?.color) ? answer.color : 'invalid';
        if (seq === state.seq) {
            showResult({ kind, name: answer?.maskedName, tail: idNumber.slice(-4), lookup: true });
            beep(kind);
        }
        // The next person is someone else: nothing of this one stays in the form.
        form.reset();
        idInput.focus();
    } catch (error) {
        explainLookupFailure(error, form);
    } finally {
        state.lookupBusy = false;
        button.disabled = false;
        setText(button, 'lkSubmit');
    }
}

function explainLookupFailure(error, form) {
    if (!(error instanceof api.ApiError)) {
        console.error(error);
        lookupMessage('lkUnknown');
        return;
    }
    if (error.status === 401) {
        staffTokenRejected();
        return;
    }
    if (isCheckpointMismatch(error)) {
        checkpointRejected();
        return;
    }
    beep('invalid');
    if (error.kind === 'network') {
        lookupMessage('lkNetwork');
    } else if (error.status === 404) {
        lookupMessage('lkNotFound');
    } else if (error.status === 429) {
        lookupMessage('lkRateLimited');
    } else if (error.status === 400) {
        lookupMessage('lkInvalid');
        let first = null;
        for (const fieldError of error.problem?.errors ?? []) {
            const input = form.querySelector(`[data-field="${CSS.escape(String(fieldError.field ?? ''))}"]`);
            if (input) {
                showFieldError(input, fieldMessage(fieldError));
                first ??= input;
            }
        }
        first?.focus();
    } else if (error.status >= 500) {
        lookupMessage('lkServer');
    } else {
        lookupMessage('lkUnknown', { status: error.status });
    }
    $('lookup-message').dataset.status = String(error.status);
    $('lookup-message').dataset.code = error.problem?.code ?? '';
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
    document.documentElement.lang = locale();
    $('lang-switch').lang = language() === 'en' ? 'zh-CN' : 'en';
    translate(document);
    renderResult();
}

// ---- start -----------------------------------------------------------------------------------

function wire() {
    $('lang-switch').addEventListener('click', () => {
        setLanguage(language() === 'en' ? 'zh' : 'en');
        applyLanguage();
        focusWedge();
    });
    $('change-setup').addEventListener('click', (event) => {
        event.preventDefault();
        showSetup();
    });
    $('logout').addEventListener('click', (event) => {
        event.preventDefault();
        forgetToken('scanLoggedOut');
    });
    $('setup-form').addEventListener('submit', onSetupSubmit);
    $('wedge-form').addEventListener('submit', onWedgeSubmit);
    $('lookup-form').addEventListener('submit', onLookup);
    $('lookup-id').addEventListener('input', (event) => {
        const input = event.target;
        if (/x/.test(input.value)) {
            input.value = input.value.toUpperCase();
        }
    });
    $('tab-scan').addEventListener('click', () => selectTab('scan'));
    $('tab-lookup').addEventListener('click', () => selectTab('lookup'));
    $('camera-toggle').addEventListener('click', () => {
        if (state.camera.stream) {
            stopCamera();
            saveCameraPreference(false);
            focusWedge();
        } else {
            startCamera();
        }
    });

    const result = $('result');
    // Tapping the answer dismisses it without taking the focus from the scan gun input.
    result.addEventListener('mousedown', (event) => event.preventDefault());
    result.addEventListener('click', () => {
        if (state.result.kind !== 'checking') {
            resetResult();
        }
        focusWedge();
    });

    // Focus that falls to nothing (a tap on empty space, a closed dialog) goes back to the scan gun.
    $('wedge').addEventListener('blur', () => setTimeout(() => {
        if (!document.activeElement || document.activeElement === document.body) {
            focusWedge();
        }
    }, 0));
    document.addEventListener('keydown', onKeyDown, true);
    // Browsers start audio only after a user gesture; the first tap or key unlocks it.
    document.addEventListener('pointerdown', audioContext, { once: true });
    document.addEventListener('keydown', audioContext, { once: true });
    window.addEventListener('hashchange', () => {
        const token = takeFragment();
        if (token) {
            showSetup();
            $('setup-token').value = token;
            checkToken(token);
        }
    });
    window.addEventListener('pagehide', stopCamera);
    setInterval(checkTokenAge, TOKEN_CHECK_MS);
}

wire();
applyLanguage();
const linkToken = takeFragment();
if (linkToken) {
    showSetup();
    $('setup-token').value = linkToken;
    checkToken(linkToken);
} else if (isSetUp()) {
    showScan();
    refreshStaff();
} else {
    showSetup();
}
