import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layoutTimeline, problemSummary, scriptExtent, ticks } from '../timelineLayout';
import { batch, twoStreams } from './fixtures';

test('one lane per stream, plus one for entries outside any stream', () => {
  const [script] = layoutTimeline(twoStreams()).scripts;
  assert.ok(script !== undefined);
  assert.deepEqual(
    script.lanes.map((lane) => [lane.label, lane.detail, lane.markers.length]),
    [
      ['Stream 1', '0s – 6s', 4],
      ['Stream 2', '6s – never ends', 1],
      ['No stream', 'entries while no stream runs', 1],
    ],
  );
});

test('entries sit at their time, spans cover their stream', () => {
  const [script] = layoutTimeline(twoStreams()).scripts;
  assert.ok(script !== undefined);
  const [first, second] = script.lanes;
  assert.deepEqual(
    first?.markers.map((marker) => [marker.x, marker.kind]),
    [
      [0, 'start'],
      [25, 'interact'],
      [40, 'interact'],
      [60, 'end'],
    ],
  );
  assert.deepEqual(first?.span, { from: 0, to: 60, open: false });
  assert.deepEqual(second?.span, { from: 60, to: 100, open: true });
  assert.deepEqual(second?.target, { kind: 'stream', script: 0, stream: 1 });
});

test('a tooltip gives the time, kind, stream, iteration and prompt', () => {
  const [script] = layoutTimeline(twoStreams()).scripts;
  const markers = script?.lanes[0]?.markers ?? [];
  assert.equal(markers[1]?.tooltip, '2.5s · interact · stream 1 · iteration 1\nTaxi 1');
  assert.equal(markers[3]?.tooltip, '6s · end · stream 1');
  assert.deepEqual(markers[2]?.target, { kind: 'entry', script: 0, entry: 2 });
});

test('the table lists every entry in order', () => {
  const [script] = layoutTimeline(twoStreams()).scripts;
  assert.deepEqual(
    script?.rows.map((row) => [row.time, row.kind, row.stream, row.iterations]),
    [
      ['0s', 'start', 'Stream 1', ''],
      ['2.5s', 'interact', 'Stream 1', '1'],
      ['4s', 'interact', 'Stream 1', '2'],
      ['6s', 'end', 'Stream 1', ''],
      ['6s', 'start', 'Stream 2', ''],
      ['10s', 'interact', '', ''],
    ],
  );
});

test('titles and summaries: a single script, and a batch', () => {
  const single = layoutTimeline(twoStreams());
  assert.equal(single.problems, '1 error, 2 warnings');
  assert.equal(single.scripts[0]?.title, 'Timeline');
  assert.equal(single.scripts[0]?.target, null);
  assert.equal(single.scripts[0]?.summary, '10s · 6 entries · 2 streams');
  const both = layoutTimeline(batch());
  assert.equal(both.problems, '');
  assert.deepEqual(
    both.scripts.map((script) => [script.title, script.summary, script.target]),
    [
      ['script "morning"', '3s · 2 entries · 1 stream', { kind: 'script', script: 0 }],
      ['script "evening"', '3s · 2 entries · 1 stream', { kind: 'script', script: 1 }],
    ],
  );
});

test('the axis reaches the latest entry even past the duration, and never divides by zero', () => {
  const result = twoStreams();
  const script = result.scripts[0];
  assert.ok(script !== undefined);
  script.durationMs = 5_000;
  assert.equal(scriptExtent(script), 10_000);
  assert.equal(scriptExtent({ ...script, durationMs: 0, entries: [], streams: [] }), 1);
});

test('ticks are round, start at 0 and stay few', () => {
  assert.deepEqual(ticks(10_000), [0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
  assert.deepEqual(ticks(18_000), [0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000, 16_000, 18_000]);
  assert.deepEqual(ticks(1), [0]);
  for (const extent of [1, 7, 99, 1_234, 45_000, 3_600_000, 10 ** 9, 2 ** 50]) {
    const times = ticks(extent);
    assert.ok(times.length >= 1 && times.length <= 11, `${extent}: ${times.length} ticks`);
    assert.equal(times[0], 0);
    assert.ok(times.every((time) => time <= extent));
  }
});

test('problem summaries', () => {
  assert.equal(problemSummary(0, 0), '');
  assert.equal(problemSummary(2, 0), '2 errors');
  assert.equal(problemSummary(0, 1), '1 warning');
});
