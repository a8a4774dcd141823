import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MalformedTimeline, validateTimeline } from '../validate';
import { batch, twoStreams } from './fixtures';

test('a result of the documented shape passes unchanged', () => {
  for (const result of [twoStreams(), batch()]) {
    assert.deepEqual(validateTimeline(JSON.parse(JSON.stringify(result))), result);
  }
});

test('a result of another shape is refused, naming the first wrong field', () => {
  const broken = (change: (value: any) => void): unknown => {
    const value = JSON.parse(JSON.stringify(twoStreams()));
    change(value);
    return value;
  };
  const cases: Array<[unknown, string]> = [
    [null, 'the result is not an object'],
    [[], 'the result is not an object'],
    [broken((v) => delete v.uri), 'uri is not a string'],
    [broken((v) => (v.version = '3')), 'version is not a whole number ≥ 0'],
    [broken((v) => (v.scripts = {})), 'scripts is not an array'],
    [broken((v) => (v.scripts[0].durationMs = 1.5)), 'scripts[0].durationMs is not a whole number ≥ 0'],
    [broken((v) => (v.scripts[0].streams[1].endMs = -1)), 'scripts[0].streams[1].endMs is not a whole number ≥ 0'],
    [broken((v) => (v.scripts[0].entries[2].kind = 'pause')), 'scripts[0].entries[2].kind is not one of start, interact, end'],
    [broken((v) => (v.scripts[0].entries[3].range.end = { line: 1 })), 'scripts[0].entries[3].range.end.character is not a whole number ≥ 0'],
    [broken((v) => (v.scripts[0].entries[1].iterations = [1, '2'])), 'scripts[0].entries[1].iterations[1] is not a whole number ≥ 0'],
    [broken((v) => (v.scripts[0].entries[0].prompt = 7)), 'scripts[0].entries[0].prompt is not a string'],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => validateTimeline(value), (error: unknown) => error instanceof MalformedTimeline && error.message === message, message);
  }
});
