// A token kept for one browser tab (sessionStorage: `{token, savedAt, usedAt}`, gone with the tab) and forgotten
// sooner: after TOKEN_IDLE_MS without an answered request, and TOKEN_MAX_MS after it was entered, however busy the
// desk. The scanner's staff token can look residents up by ID card and an office's lists their names and phones: a
// phone or PC left for half an hour should not keep either. Getting it back is pasting it, or opening the link, again.

export const TOKEN_IDLE_MS = 30 * 60 * 1000;
/** One shift or working day: the service's default token lifetime. */
export const TOKEN_MAX_MS = 12 * 60 * 60 * 1000;
/** How often a page checks whether its token has run out while nothing happens. */
export const TOKEN_CHECK_MS = 60 * 1000;

/** True when a token with these times (`{savedAt, usedAt}`, ms since the epoch) is past either limit at `now`. */
export function tokenExpired(times, now) {
    return !(now - times.usedAt < TOKEN_IDLE_MS && now - times.savedAt < TOKEN_MAX_MS);
}

/** The token stored under `key` in this tab: `read()` and `store(token, times)`. */
export function tabToken(key) {
    return {
        /** The stored token and its times, unless past a limit (then it is removed); null when there is none. */
        read() {
            try {
                const stored = JSON.parse(sessionStorage.getItem(key) ?? 'null');
                if (stored?.token && !tokenExpired(stored, Date.now())) {
                    return stored;
                }
                sessionStorage.removeItem(key);
            } catch {
                // Storage off or damaged: no token.
            }
            return null;
        },
        /** Keeps `token` with its times, or removes it when there is none. */
        store(token, times) {
            try {
                if (token) {
                    sessionStorage.setItem(key, JSON.stringify({ token, ...times }));
                } else {
                    sessionStorage.removeItem(key);
                }
            } catch {
                // Kept in memory only: it is entered again after a reload.
            }
        },
    };
}
