// The endpoints of HTTP API v1 (DESIGN §5) that the pages call: the resident's, the checkpoint staff's (scanner page)
// and the public sharing catalogue's. Every failure becomes an ApiError, so the page decides what to tell the
// user in one place: `kind` is `network` when the request never
// got an answer, otherwise `status` and the RFC 9457 problem details (`problem`) say what happened.

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
    /** `retryAfter`: the seconds of a 429's `Retry-After` header (RFC 9110 §10.2.3), else null. */
    constructor(kind, status = 0, problem = null, retryAfter = null) {
        super(problem?.detail ?? problem?.title ?? `${kind} ${status}`);
        this.name = 'ApiError';
        this.kind = kind;
        this.status = status;
        this.problem = problem;
        this.retryAfter = retryAfter;
    }
}

async function send(method, path, { body, token, accept = 'application/json', timeoutMs = TIMEOUT_MS, cache = 'no-store' } = {}) {
    const headers = { Accept: accept };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    if (token) {
        headers.Authorization = `Bearer ${token}`;
    }
    let response;
    try {
        response = await fetch(path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            cache,
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch {
        // Offline, DNS failure, timeout: the resident can only try again later.
        throw new ApiError('network');
    }
    if (!response.ok) {
        let problem = null;
        try {
            problem = await response.json();
        } catch {
            // Not JSON (a proxy's error page, an empty 401): the status alone has to do.
        }
        const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
        throw new ApiError('http', response.status, problem, Number.isNaN(retryAfter) ? null : retryAfter);
    }
    return response;
}

/** `POST /api/v1/auth/otp` → `{expiresAt, resendAfterSeconds, devCode?}`; a 429 carries `Retry-After`. */
export async function requestOtp(phone) {
    const response = await send('POST', '/api/v1/auth/otp', { body: { phone } });
    return response.json();
}

/** `POST /api/v1/auth/login` → `{token, expiresAt}`. */
export async function login(phone, code) {
    const response = await send('POST', '/api/v1/auth/login', { body: { phone, code } });
    return response.json();
}

/** `?personId=` for a family member's request (DESIGN §8); nothing for the account's holder. */
const forPerson = (personId, sep = '?') => (personId ? `${sep}personId=${encodeURIComponent(personId)}` : '');

/** `POST /api/v1/declarations[?personId=]` → `{personId, codeId, color, reasons, statusVersion, greenAfter}`. */
export async function submitDeclaration(token, declaration, personId = null) {
    const response = await send('POST', `/api/v1/declarations${forPerson(personId)}`, { body: declaration, token });
    return response.json();
}

/**
 * `GET /api/v1/me/declaration/draft[?personId=]` → `{personId, relation, lastDeclaredOn, fields: {name, idNumber, phone,
 * region, travel, contact, lastTest}, askedAnew}`, each field `{value, origin, source?, lab?}` (DESIGN §10 Prefill).
 */
export async function getDeclarationDraft(token, personId = null) {
    const response = await send('GET', `/api/v1/me/declaration/draft${forPerson(personId)}`, { token });
    return response.json();
}

/** `GET /api/v1/me/code[?personId=]` → `{personId, relation, maskedName, idTail, codeId, color, reasons, updatedAt, greenAfter?, statusVersion}`. */
export async function getMyCode(token, personId = null) {
    const response = await send('GET', `/api/v1/me/code${forPerson(personId)}`, { token });
    return response.json();
}

/**
 * `GET /api/v1/me/code/qr?format=text[&personId=]` → the exact QR text (the page draws it), when its token expires and
 * when the code record last changed (`codeUpdatedAt`, the `updatedAt` of `GET /me/code`). `lifetimeMs` is measured
 * against the server's own `Date` header when there is one, so a phone whose clock is wrong still refreshes in time.
 */
export async function getMyQrText(token, personId = null) {
    const response = await send('GET', `/api/v1/me/code/qr?format=text${forPerson(personId, '&')}`, { token, accept: 'text/plain' });
    const text = (await response.text()).trim();
    const expiresAt = Date.parse(response.headers.get('X-HealthCode-Expires-At') ?? '');
    const serverNow = Date.parse(response.headers.get('Date') ?? '');
    const now = Number.isNaN(serverNow) ? Date.now() : serverNow;
    const lifetimeMs = Number.isNaN(expiresAt) ? null : expiresAt - now;
    const codeUpdatedAt = Date.parse(response.headers.get('X-HealthCode-Code-Updated-At') ?? '');
    return { text, lifetimeMs, codeUpdatedAt: Number.isNaN(codeUpdatedAt) ? null : codeUpdatedAt };
}

/** `GET /api/v1/regions` (public, cached by the browser for a day) → `{regions: [{code, name, nameEn}]}` (GB/T 2260). */
export async function getRegions() {
    const response = await send('GET', '/api/v1/regions', { cache: 'default' });
    return response.json();
}

/** `GET /api/v1/me/code/qr?format=print&personId=` → a family member's printable card, as HTML text. */
export async function getPrintedCard(token, personId) {
    const response = await send('GET', `/api/v1/me/code/qr?format=print${forPerson(personId, '&')}`, { token, accept: 'text/html' });
    return response.text();
}

/** `GET /api/v1/me/dependants` → `[{personId, name, idNumber, maskedName, idTail, color, updatedAt}]`. */
export async function listDependants(token) {
    const response = await send('GET', '/api/v1/me/dependants', { token });
    return response.json();
}

/** `POST /api/v1/me/dependants {name, idNumber}` → the new family member. */
export async function addDependant(token, name, idNumber) {
    const response = await send('POST', '/api/v1/me/dependants', { body: { name, idNumber }, token });
    return response.json();
}

/** `DELETE /api/v1/me/dependants/{personId}`. */
export async function removeDependant(token, personId) {
    await send('DELETE', `/api/v1/me/dependants/${encodeURIComponent(personId)}`, { token });
}

/**
 * `GET /api/v1/me/data-use[?personId=&cursor=&limit=]` → `{entries: [{seq, at, purpose, source, actor, person}], nextCursor}`:
 * who used the holder's data (personId null), a family member's, or everyone's on the account (`all`), newest first.
 */
export async function getMyDataUse(token, { personId = null, cursor = null, limit = null } = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries({ personId, cursor, limit })) {
        if (value !== null && value !== undefined) {
            query.set(name, String(value));
        }
    }
    const text = query.toString();
    const response = await send('GET', `/api/v1/me/data-use${text ? `?${text}` : ''}`, { token });
    return response.json();
}

// ---- disputes (纠错, DESIGN §10) ---------------------------------------------------------------

/**
 * `GET /api/v1/me/disputes[?personId=]` → newest first `[{disputeId, personId, maskedName, idTail, fact: {source,
 * sourceName, batchId, kind, provider}, reason, state (open, retracted, overridden, rejected), filedAt, resolvedAt, note}]`.
 */
export async function listMyDisputes(token, personId = null) {
    const response = await send('GET', `/api/v1/me/disputes${forPerson(personId)}`, { token });
    return response.json();
}

/** `POST /api/v1/me/disputes[?personId=] {source, batchId, reason}` → `{dispute, created}`: `201` a new one, `200` the one already open. */
export async function fileDispute(token, { source, batchId }, reason, personId = null) {
    const response = await send('POST', `/api/v1/me/disputes${forPerson(personId)}`, { body: { source, batchId, reason }, token });
    return { dispute: await response.json(), created: response.status === 201 };
}

/** `GET /api/v1/catalog` (public) → `{asOf, entries: [{code, name, provider, providerName, ..., lastBatchAt, rows, late, lateSince}]}`. */
export async function getCatalog() {
    const response = await send('GET', '/api/v1/catalog');
    return response.json();
}

// ---- grassroots offices (DESIGN §10) -----------------------------------------------------------

/** `GET /api/v1/office/me` → `{operatorId, name, offices: [{region, name, nameEn}]}`: the office token's own record. */
export async function getOfficeMe(officeToken) {
    const response = await send('GET', '/api/v1/office/me', { token: officeToken });
    return response.json();
}

/** `GET /api/v1/office/summary` → `{asOf, areas: [{region, name, nameEn, counts, regions}], total}`. */
export async function getOfficeSummary(officeToken) {
    const response = await send('GET', '/api/v1/office/summary', { token: officeToken });
    return response.json();
}

/**
 * `GET /api/v1/office/people?color=&region=&cursor=&limit=` → `{items: [{maskedName, idTail, phone, phoneOf, color,
 * reasons, since, region, regionName, regionNameEn, office}], nextCursor}`; each person listed is recorded as data use.
 */
export async function listOfficePeople(officeToken, { color, region, cursor, limit }) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries({ color, region, cursor, limit })) {
        if (value) {
            query.set(name, String(value));
        }
    }
    const response = await send('GET', `/api/v1/office/people?${query}`, { token: officeToken });
    return response.json();
}

// ---- checkpoint staff ------------------------------------------------------------------------

// A checkpoint cannot hold a queue for 15 s: a verify that takes longer is reported as a network
// problem at once, and the staff member scans again or looks the person up by ID card.
const STAFF_TIMEOUT_MS = 5000;

/**
 * `GET /api/v1/staff/me` → `{staffId, name, checkpointId, province: {code, name}, expiresAt}`: the staff token's own
 * record; a made-up, expired or revoked token is a 401 with `staff_token_invalid`, `_expired` or `_revoked`.
 */
export async function getStaffMe(staffToken) {
    const response = await send('GET', '/api/v1/staff/me', { token: staffToken, timeoutMs: STAFF_TIMEOUT_MS });
    return response.json();
}

/**
 * `POST /api/v1/verify` → the verdict `{valid, color, issuer, issuerName, maskedName, idTail,
 * issuedAt, expiresAt, source, route?, error}` (`route`: own, bilateral or hub, for a valid code);
 * `200` for every scanned input, valid or not.
 */
export async function verifyCode(staffToken, qr, checkpointId) {
    const response = await send('POST', '/api/v1/verify', {
        body: { qr, checkpointId }, token: staffToken, timeoutMs: STAFF_TIMEOUT_MS,
    });
    return response.json();
}

/** `POST /api/v1/lookup` → `{color, maskedName}` for a resident without a phone (audited, rate-limited). */
export async function lookupResident(staffToken, idNumber, name, checkpointId) {
    const response = await send('POST', '/api/v1/lookup', {
        body: { idNumber, name, checkpointId }, token: staffToken, timeoutMs: STAFF_TIMEOUT_MS,
    });
    return response.json();
}
