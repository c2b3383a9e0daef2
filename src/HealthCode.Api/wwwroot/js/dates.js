// One way to write days and times on the resident page, in both languages: `2026-12-21`, `2026-12-07 09:47` and,
// on the live clock, `2026-12-07 09:47:51`, in the phone's time. It is how the service writes the days inside
// the reasons it sends (RiskScorer) and in the prefill notes, so every date on the page reads alike.

const pad = (n) => String(n).padStart(2, '0');

function parts(date) {
    return {
        day: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`,
        time: `${pad(date.getHours())}:${pad(date.getMinutes())}`,
        seconds: pad(date.getSeconds()),
    };
}

/** A calendar day (`2026-12-21` as the service sends it, or a Date) as `2026-12-21`. */
export function formatDay(value) {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
        // A bare date is a calendar day, not midnight UTC: kept as it is.
        return value;
    }
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value ?? '') : parts(date).day;
}

/** An instant as `2026-12-07 09:47`; a bare day as the day; the value as text when it is no date. */
export function formatInstant(value) {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
        return value;
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
        return String(value ?? '');
    }
    const { day, time } = parts(date);
    return `${day} ${time}`;
}

/** A time of day with seconds, `09:47:51`. */
export function formatTime(date) {
    const { time, seconds } = parts(date);
    return `${time}:${seconds}`;
}

/** The live clock on the code screen: `2026-12-07 09:47:51`. */
export function formatClock(date) {
    const { day, time, seconds } = parts(date);
    return `${day} ${time}:${seconds}`;
}
