import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';

import { findExecutable } from '../executables';

const root = mkdtempSync(path.join(tmpdir(), 'ody-exec-'));
const first = path.join(root, 'first');
const second = path.join(root, 'second');
const project = path.join(root, 'project');
for (const folder of [first, second, path.join(project, '.venv', 'bin'), path.join(first, 'odyc-dir')]) {
  mkdirSync(folder, { recursive: true });
}
writeFileSync(path.join(first, 'odyc'), 'not executable', { mode: 0o644 });
writeFileSync(path.join(second, 'odyc'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(path.join(project, '.venv', 'bin', 'odyc'), '#!/bin/sh\n', { mode: 0o755 });
mkdirSync(path.join(second, 'folder-not-file'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a command is looked up on PATH, skipping files that cannot run', async () => {
  const env = { PATH: [first, second].join(':') };
  assert.equal(await findExecutable('odyc', project, env, 'linux'), path.join(second, 'odyc'));
  assert.equal(await findExecutable('folder-not-file', project, env, 'linux'), null);
  assert.equal(await findExecutable('odyc', project, { PATH: first }, 'linux'), null);
  assert.equal(await findExecutable('odyc', project, {}, 'linux'), null);
});

test('a path is taken as it is, a relative one from the workspace folder', async () => {
  const env = { PATH: second };
  const venv = path.join(project, '.venv', 'bin', 'odyc');
  assert.equal(await findExecutable('.venv/bin/odyc', project, env, 'linux'), venv);
  assert.equal(await findExecutable(venv, root, env, 'linux'), venv);
  assert.equal(await findExecutable('./missing/odyc', project, env, 'linux'), null);
});
