import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatDuration } from '../durations';

test('durations are written as Ody literals, largest unit first', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [1, '1ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [1_001, '1.001s'],
    [4_500, '4.5s'],
    [59_990, '59.99s'],
    [60_000, '1m'],
    [60_500, '1m0.5s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_602_250, '1h2.25s'],
    [3_723_000, '1h2m3s'],
    [90_000_000, '25h'],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text, `${ms} ms`);
  }
});

test('only whole, non-negative milliseconds are durations', () => {
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    assert.throws(() => formatDuration(bad), RangeError);
  }
});
