/** Timeline results shaped as docs/lsp.md promises, for the tests. */

import type { Range, TimelineEntry, TimelineResult } from '../protocol';

export function line(number: number, length = 10): Range {
  return { start: { line: number, character: 0 }, end: { line: number, character: length } };
}

function entry(fields: Partial<TimelineEntry> & Pick<TimelineEntry, 'timeMs' | 'time' | 'kind'>): TimelineEntry {
  return { prompt: null, stream: 0, range: line(0), iterations: [], ...fields };
}

/**
 * One script of 10s: stream 0 from 0s to 6s, stream 1 from 6s that never ends, a looped
 * interact, and an interact that came while no stream ran.
 */
export function twoStreams(): TimelineResult {
  return {
    uri: 'file:///scene.ody',
    version: 3,
    errors: 1,
    warnings: 2,
    scripts: [
      {
        name: null,
        range: null,
        durationMs: 10_000,
        streams: [
          { index: 0, startMs: 0, endMs: 6_000, prompt: 'A <street> & "rain"', range: line(1) },
          { index: 1, startMs: 6_000, endMs: null, prompt: 'Morning', range: line(5) },
        ],
        entries: [
          entry({ timeMs: 0, time: '0s', kind: 'start', prompt: 'A <street> & "rain"', range: line(1) }),
          entry({ timeMs: 2_500, time: '2.5s', kind: 'interact', prompt: 'Taxi 1', range: line(3), iterations: [1] }),
          entry({ timeMs: 4_000, time: '4s', kind: 'interact', prompt: 'Taxi 2', range: line(3), iterations: [2] }),
          entry({ timeMs: 6_000, time: '6s', kind: 'end', range: line(4) }),
          entry({ timeMs: 6_000, time: '6s', kind: 'start', prompt: 'Morning', stream: 1, range: line(5) }),
          entry({ timeMs: 10_000, time: '10s', kind: 'interact', prompt: '<img src=x onerror=alert(1)>', stream: null, range: line(7) }),
        ],
      },
    ],
  };
}

/** Two named scripts of a batch. */
export function batch(): TimelineResult {
  const script = (name: string, header: number) => ({
    name,
    range: line(header),
    durationMs: 3_000,
    streams: [{ index: 0, startMs: 0, endMs: 3_000, prompt: name, range: line(header + 1) }],
    entries: [
      entry({ timeMs: 0, time: '0s', kind: 'start', prompt: name, range: line(header + 1) }),
      entry({ timeMs: 3_000, time: '3s', kind: 'end', range: line(header + 2) }),
    ],
  });
  return { uri: 'file:///batch.ody', version: null, errors: 0, warnings: 0, scripts: [script('morning', 0), script('evening', 4)] };
}
