import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CoalescingRunner } from '../refresh';

/** A task whose runs finish only when the test says so. */
function controlledTask() {
  const pending: Array<() => void> = [];
  let runs = 0;
  let active = 0;
  let mostActive = 0;
  const task = async (): Promise<void> => {
    runs += 1;
    active += 1;
    mostActive = Math.max(mostActive, active);
    await new Promise<void>((resolve) => pending.push(resolve));
    active -= 1;
  };
  const finishOne = async (): Promise<void> => {
    while (pending.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    pending.shift()?.();
  };
  return { task, finishOne, stats: () => ({ runs, mostActive }) };
}

test('requests during a run are served by exactly one more run, never in parallel', async () => {
  const { task, finishOne, stats } = controlledTask();
  const runner = new CoalescingRunner(task);
  const first = runner.request();
  for (let i = 0; i < 5; i += 1) {
    void runner.request();
  }
  await finishOne();
  await finishOne();
  await first;
  assert.deepEqual(stats(), { runs: 2, mostActive: 1 });
  const later = runner.request();
  await finishOne();
  await later;
  assert.deepEqual(stats(), { runs: 3, mostActive: 1 });
});

test('a lone request runs once', async () => {
  const { task, finishOne, stats } = controlledTask();
  const runner = new CoalescingRunner(task);
  const done = runner.request();
  await finishOne();
  await done;
  assert.equal(stats().runs, 1);
});

test('a failing run does not stop later ones', async () => {
  let calls = 0;
  const runner = new CoalescingRunner(async () => {
    calls += 1;
    if (calls === 1) {
      throw new Error('the server went away');
    }
  });
  await runner.request();
  await runner.request();
  assert.equal(calls, 2);
});

test('nothing runs after stop', async () => {
  const { task, finishOne, stats } = controlledTask();
  const runner = new CoalescingRunner(task);
  const running = runner.request();
  void runner.request();
  runner.stop();
  await finishOne();
  await running;
  await runner.request();
  assert.equal(stats().runs, 1);
});
