// The checkpoint scanner (DESIGN §2 "checkpoint staff", §5 verify and lookup): a staff token and a
// checkpoint id, then codes from the camera (jsQR) or a USB scan gun (keyboard wedge), each answered
// with a full-screen colour, the masked name and ID tail to compare with the ID card, a reason when
// the code is invalid, and a sound. Scanning is never blocked: a new scan replaces the answer.

import * as api from './api.js';
import { fieldMessage, language, locale, setLanguage, setText, t, translate } from './i18n.js';
import { FORGERY_ERRORS, reasonKey } from './scan-i18n.js';
import { TOKEN_CHECK_MS, tabToken, tokenExpired } from './tab-token.js';

/** The staff token, kept for this tab only and forgotten after half an hour without a scan or a lookup (tab-token.js). */
const staffToken = tabToken('hc.scan.token');
/** localStorage: the checkpoint id, a device setting and no secret. */
const CHECKPOINT_KEY = 'hc.scan.checkpoint';
/** localStorage of earlier versions, which kept the staff token there for the whole shift: read once for the checkpoint, then removed. */
const LEGACY_SETTINGS_KEY = 'hc.scan.staff';
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
const ACTIONS = { idle: 'resIdleHint', green: 'resGreenAction', yellow: 'resYellowAction', red: 'resRedAction', invalid: 'resInvalidAction' };

const $ = (id) => document.getElementById(id);

const state = {
    /** @type {{token: string | null, checkpointId: string}} */
    settings: readSettings(),
    /** When the token was entered and last used (ms since the epoch); kept in memory too, for when storage is off. */
    tokenTimes: staffToken.read() ?? { savedAt: 0, usedAt: 0 },
    /** Numbers every request, so a slow answer never replaces a newer one. */
    seq: 0,
    /** What the result panel shows; re-rendered when the language changes. */
    result: { kind: 'idle' },
    resultTimer: 0,
    /** The last text the camera decoded and when it was last in view (debounce). */
    lastCamera: { text: '', seenAt: 0 },
    camera: { stream: null, timer: 0, context: null, wakeLock: null },
    lookupBusy: false,
};

// ---- settings --------------------------------------------------------------------------------

function readSettings() {
    let checkpointId = '';
    try {
        const legacy = JSON.parse(localStorage.getItem(LEGACY_SETTINGS_KEY) ?? 'null');
        localStorage.removeItem(LEGACY_SETTINGS_KEY);
        checkpointId = localStorage.getItem(CHECKPOINT_KEY) ?? legacy?.checkpointId ?? '';
    } catch {
        // Storage off or damaged: start from nothing.
    }
    return { token: staffToken.read()?.token ?? null, checkpointId };
}

function saveSettings(settings) {
    const now = Date.now();
    if (settings.token !== state.settings?.token) {
        state.tokenTimes = { savedAt: now, usedAt: now };
    }
    state.settings = settings;
    try {
        localStorage.setItem(CHECKPOINT_KEY, settings.checkpointId);
    } catch {
        // Private mode: kept for this page only.
    }
    storeToken();
}

function storeToken() {
    staffToken.store(state.settings.token, state.tokenTimes);
}

/** An answered scan or lookup: the checkpoint is in use, the idle limit starts again. */
function tokenUsed() {
    state.tokenTimes.usedAt = Date.now();
    storeToken();
}

/** Forgets the token (the checkpoint id stays) and asks for it again, saying why. */
function forgetToken(messageKey) {
    saveSettings({ token: null, checkpointId: state.settings.checkpointId });
    showSetup(messageKey, messageKey === 'scanLoggedOut' ? 'info' : 'error');
}

/** Past its idle or shift limit while the page stayed open (timers also catch up after a phone wakes). */
function checkTokenAge() {
    if (state.settings.token && tokenExpired(state.tokenTimes, Date.now())) {
        forgetToken('scanTokenForgotten');
        return true;
    }
    return false;
}

/**
 * An operator can hand out a link or a QR of `scan.html#token=...&checkpoint=...`. The fragment
 * never reaches a server; it is taken into storage and then removed from the address bar and the
 * history, so the token is not left on screen or in a bookmark.
 */
function takeFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const token = params.get('token')?.trim();
    const checkpointId = params.get('checkpoint')?.trim();
    if (!token && !checkpointId) {
        return false;
    }
    saveSettings({
        token: token || state.settings.token,
        checkpointId: checkpointId || state.settings.checkpointId,
    });
    history.replaceState(null, '', location.pathname + location.search);
    return true;
}

function isSetUp() {
    return Boolean(state.settings.token && state.settings.checkpointId);
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
    $('setup-checkpoint').value = state.settings.checkpointId;
    clearFieldErrors($('setup-form'));
    if (messageKey) {
        showMessage(messageKey, kind);
    } else {
        clearMessage();
    }
    (state.settings.token ? $('setup-checkpoint') : $('setup-token')).focus();
}

function showScan() {
    $('view-setup').hidden = true;
    $('view-scan').hidden = false;
    $('change-setup').hidden = false;
    $('logout').hidden = false;
    setText($('scan-checkpoint'), 'scanCheckpoint', { id: state.settings.checkpointId });
    selectTab('scan');
    if (readCameraPreference()) {
        startCamera();
    }
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

function checkpointRejected() {
    showSetup('errCheckpointMismatch');
    $('setup-checkpoint').setAttribute('aria-invalid', 'true');
    $('setup-checkpoint').focus();
}

function onSetupSubmit(event) {
    event.preventDefault();
    const form = $('setup-form');
    clearFieldErrors(form);
    const token = $('setup-token').value.trim();
    const checkpointId = $('setup-checkpoint').value.trim();
    const missing = [];
    if (!checkpointId) {
        missing.push([$('setup-checkpoint'), t('setupCheckpointRequired')]);
    }
    if (!token) {
        missing.push([$('setup-token'), t('setupTokenRequired')]);
    }
    if (missing.length > 0) {
        for (const [input, message] of missing) {
            showFieldError(input, message);
        }
        missing.at(-1)[0].focus();
        return;
    }
    saveSettings({ token, checkpointId });
    showScan();
    showMessage('setupSaved', 'success');
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
    const issuer = result.issuerName ? `${result.issuerName}${result.issuer ? ` · ${result.issuer}` : ''}` : (result.issuer ?? '');
    if (result.source === 'partner') {
        setText($('result-issuer'), 'resPartner', { name: issuer });
    } else {
        setText($('result-issuer'), null);
        $('result-issuer').textContent = issuer;
    }

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
        result = verdictResult(await api.verifyCode(state.settings.token, qr, state.settings.checkpointId));
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
        const answer = await api.lookupResident(state.settings.token, idNumber, name, state.settings.checkpointId);
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
        if (takeFragment() && isSetUp()) {
            clearMessage();
            showScan();
        }
    });
    window.addEventListener('pagehide', stopCamera);
    setInterval(checkTokenAge, TOKEN_CHECK_MS);
}

wire();
applyLanguage();
takeFragment();
if (isSetUp()) {
    showScan();
} else {
    showSetup();
}
