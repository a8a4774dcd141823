import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  configurationChange,
  DEFAULT_SERVER_PATH,
  INLAY_HINT_KINDS,
  inlayHintOptions,
  initializationOptions,
  serverPath,
  type SettingReader,
} from '../settings';

/** A reader over fixed values, falling back like `WorkspaceConfiguration.get`. */
function reader(values: Record<string, unknown>): SettingReader {
  return <T>(key: string, fallback: T): T => (key in values ? (values[key] as T) : fallback);
}

test('every inlay hint kind is on by default', () => {
  const options = inlayHintOptions(reader({}));
  assert.deepEqual(Object.keys(options), [...INLAY_HINT_KINDS]);
  assert.ok(Object.values(options).every((on) => on === true));
});

test('a kind set to false is off; other values leave it on', () => {
  const options = inlayHintOptions(reader({ 'inlayHints.loopBodyTimes': false, 'inlayHints.resolvedTimes': 'no' }));
  assert.equal(options.loopBodyTimes, false);
  assert.equal(options.resolvedTimes, true);
  assert.equal(options.loopIterations, true);
});

test('initializationOptions and didChangeConfiguration carry the same options', () => {
  const read = reader({ 'inlayHints.streamDurations': false });
  assert.deepEqual(initializationOptions(read), {
    inlayHints: { resolvedTimes: true, loopIterations: true, loopBodyTimes: true, streamDurations: false },
  });
  assert.deepEqual(configurationChange(read), { settings: { ody: initializationOptions(read) } });
});

test('the server path defaults to odyc and is trimmed', () => {
  assert.equal(serverPath(reader({})), DEFAULT_SERVER_PATH);
  assert.equal(serverPath(reader({ 'server.path': '   ' })), DEFAULT_SERVER_PATH);
  assert.equal(serverPath(reader({ 'server.path': 42 })), DEFAULT_SERVER_PATH);
  assert.equal(serverPath(reader({ 'server.path': ' /opt/odyc/bin/odyc ' })), '/opt/odyc/bin/odyc');
});
