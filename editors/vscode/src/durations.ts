/** Durations written the way Ody reads them. */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECOND = 1_000;

/**
 * A number of milliseconds as an Ody duration literal that `odyc` parses back to the same
 * value: `0s`, `250ms`, `4.5s`, `1m30s`, `1h2.25s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`not a duration in milliseconds: ${ms}`);
  }
  if (ms === 0) {
    return '0s';
  }
  if (ms < SECOND) {
    return `${ms}ms`;
  }
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const millis = ms % MINUTE;
  const parts: string[] = [];
  if (hours > 0) {
    parts.push(`${hours}h`);
  }
  if (minutes > 0) {
    parts.push(`${minutes}m`);
  }
  if (millis > 0) {
    parts.push(`${formatSeconds(millis)}s`);
  }
  return parts.join('');
}

/** Milliseconds below a minute as decimal seconds without trailing zeros: 4500 → "4.5". */
function formatSeconds(millis: number): string {
  const whole = Math.floor(millis / SECOND);
  const fraction = String(millis % SECOND).padStart(3, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
