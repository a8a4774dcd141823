import assert from 'node:assert/strict';
import { test } from 'node:test';

import { encodeTarget, parseTarget, rangeOfTarget } from '../reveal';
import type { RevealTarget } from '../timelineLayout';
import { batch, line, twoStreams } from './fixtures';

test('targets survive the trip through the webview', () => {
  const targets: RevealTarget[] = [
    { kind: 'entry', script: 0, entry: 12 },
    { kind: 'stream', script: 3, stream: 1 },
    { kind: 'script', script: 2 },
  ];
  for (const target of targets) {
    assert.deepEqual(parseTarget(encodeTarget(target)), target);
  }
});

test('anything else a webview sends names no target', () => {
  for (const bad of ['', 'entry:1', 'script:1:2', 'stream:1', 'line:1:2', 'entry:-1:2', 'entry:1:2:3', 'entry:1234567890:1', ' entry:1:2', 7, null, {}]) {
    assert.equal(parseTarget(bad), null, JSON.stringify(bad));
  }
});

test('a target leads to the range of its statement', () => {
  const result = twoStreams();
  assert.deepEqual(rangeOfTarget(result, { kind: 'entry', script: 0, entry: 5 }), line(7));
  assert.deepEqual(rangeOfTarget(result, { kind: 'stream', script: 0, stream: 1 }), line(5));
  assert.equal(rangeOfTarget(result, { kind: 'script', script: 0 }), null);
  assert.deepEqual(rangeOfTarget(batch(), { kind: 'script', script: 1 }), line(4));
});

test('targets beyond the result lead nowhere', () => {
  const result = twoStreams();
  assert.equal(rangeOfTarget(result, { kind: 'entry', script: 0, entry: 6 }), null);
  assert.equal(rangeOfTarget(result, { kind: 'entry', script: 1, entry: 0 }), null);
  assert.equal(rangeOfTarget(result, { kind: 'stream', script: 0, stream: 2 }), null);
});
