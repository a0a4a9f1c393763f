/**
 * A time as the people reading the message see it: `2026-11-24 16:00:03 GMT+8` in the
 * configured IANA zone. The Swedish locale gives ISO-like digits in every runtime; the
 * offset is spelled out because a bare wall-clock time is ambiguous across teams.
 */
export function formatTime(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'shortOffset',
  }).format(epochMs);
}

/** Hour and minute only, for "since" notes within a message that already names the day. */
export function formatClock(epochMs: number, timeZone: string): string {
  return formatTime(epochMs, timeZone).slice(0, 16);
}

/** True when the runtime knows the zone (Intl throws a RangeError otherwise). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
