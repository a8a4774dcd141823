/**
 * What the timeline preview draws, computed from an `ody/timeline` result: one lane per
 * stream, each entry at its time, ticks along the axis. Pure data; `timelineHtml` turns it
 * into markup.
 */

import { formatDuration } from './durations';
import type { EntryKind, TimelineEntry, TimelineResult, TimelineScript, TimelineStream } from './protocol';

/** Where a click in the preview leads: an entry, a stream's `start`, or a script header. */
export type RevealTarget =
  | { kind: 'entry'; script: number; entry: number }
  | { kind: 'stream'; script: number; stream: number }
  | { kind: 'script'; script: number };

export interface Marker {
  target: RevealTarget;
  /** Horizontal position, in percent of the script's extent. */
  x: number;
  kind: EntryKind;
  /** The tooltip: time, kind, stream, loop iterations and the prompt. */
  tooltip: string;
}

export interface Lane {
  /** The stream's lane, or null for entries that came while no stream ran. */
  stream: number | null;
  target: RevealTarget | null;
  label: string;
  detail: string;
  tooltip: string;
  /** The stream's extent in percent; `open` when it never ends. */
  span: { from: number; to: number; open: boolean } | null;
  markers: Marker[];
}

export interface Tick {
  x: number;
  label: string;
}

export interface Row {
  target: RevealTarget;
  time: string;
  kind: EntryKind;
  stream: string;
  iterations: string;
  prompt: string;
}

export interface ScriptLayout {
  title: string;
  target: RevealTarget | null;
  summary: string;
  lanes: Lane[];
  ticks: Tick[];
  rows: Row[];
}

export interface TimelineLayout {
  /** The document's problems, e.g. "2 errors, 1 warning", or "" when it has none. */
  problems: string;
  scripts: ScriptLayout[];
}

const TICK_STEPS_MS = [
  10, 20, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];
const MAX_TICKS = 10;

export function layoutTimeline(result: TimelineResult): TimelineLayout {
  return {
    problems: problemSummary(result.errors, result.warnings),
    scripts: result.scripts.map((script, index) => layoutScript(script, index, result.scripts.length)),
  };
}

export function problemSummary(errors: number, warnings: number): string {
  const parts = [];
  if (errors > 0) {
    parts.push(plural(errors, 'error'));
  }
  if (warnings > 0) {
    parts.push(plural(warnings, 'warning'));
  }
  return parts.join(', ');
}

function layoutScript(script: TimelineScript, index: number, count: number): ScriptLayout {
  const extent = scriptExtent(script);
  const position = (ms: number): number => round((ms / extent) * 100);
  const lanes = script.streams.map((stream) => streamLane(stream, index, position));
  const laneOf = new Map(script.streams.map((stream, at) => [stream.index, lanes[at]]));
  let orphans: Lane | null = null;
  script.entries.forEach((entry, entryIndex) => {
    const marker: Marker = {
      target: { kind: 'entry', script: index, entry: entryIndex },
      x: position(entry.timeMs),
      kind: entry.kind,
      tooltip: entryTooltip(entry),
    };
    let lane = entry.stream === null ? undefined : laneOf.get(entry.stream);
    if (lane === undefined) {
      orphans ??= {
        stream: null,
        target: null,
        label: 'No stream',
        detail: 'entries while no stream runs',
        tooltip: 'Entries that came while no stream was running',
        span: null,
        markers: [],
      };
      lane = orphans;
    }
    lane.markers.push(marker);
  });
  return {
    title: scriptTitle(script, index, count),
    target: script.range === null ? null : { kind: 'script', script: index },
    summary: [
      formatDuration(script.durationMs),
      plural(script.entries.length, 'entry', 'entries'),
      plural(script.streams.length, 'stream'),
    ].join(' · '),
    lanes: orphans === null ? lanes : [...lanes, orphans],
    ticks: ticks(extent).map((ms) => ({ x: position(ms), label: formatDuration(ms) })),
    rows: script.entries.map((entry, entryIndex) => ({
      target: { kind: 'entry', script: index, entry: entryIndex },
      time: entry.time,
      kind: entry.kind,
      stream: entry.stream === null ? '' : streamName(entry.stream),
      iterations: entry.iterations.join(' › '),
      prompt: entry.prompt ?? '',
    })),
  };
}

/** The time the axis spans: the script's duration, or later if an entry or stream is later. */
export function scriptExtent(script: TimelineScript): number {
  const times = [
    script.durationMs,
    ...script.entries.map((entry) => entry.timeMs),
    ...script.streams.map((stream) => stream.endMs ?? stream.startMs),
  ];
  return Math.max(1, ...times);
}

/** Tick times from 0 to `extent`, at a round step that gives at most MAX_TICKS intervals. */
export function ticks(extent: number): number[] {
  const step =
    TICK_STEPS_MS.find((candidate) => extent / candidate <= MAX_TICKS) ??
    Math.ceil(extent / MAX_TICKS / 86_400_000) * 86_400_000;
  const times = [];
  for (let time = 0; time <= extent; time += step) {
    times.push(time);
  }
  return times;
}

function streamLane(stream: TimelineStream, script: number, position: (ms: number) => number): Lane {
  const ends = stream.endMs === null ? 'never ends' : formatDuration(stream.endMs);
  return {
    stream: stream.index,
    target: { kind: 'stream', script, stream: stream.index },
    label: streamName(stream.index),
    detail: `${formatDuration(stream.startMs)} – ${ends}`,
    tooltip: stream.prompt,
    span: {
      from: position(stream.startMs),
      to: stream.endMs === null ? 100 : position(stream.endMs),
      open: stream.endMs === null,
    },
    markers: [],
  };
}

function entryTooltip(entry: TimelineEntry): string {
  const facts = [entry.time, entry.kind];
  if (entry.stream !== null) {
    facts.push(streamName(entry.stream).toLowerCase());
  }
  if (entry.iterations.length > 0) {
    facts.push(`iteration ${entry.iterations.join(' › ')}`);
  }
  const heading = facts.join(' · ');
  return entry.prompt === null ? heading : `${heading}\n${entry.prompt}`;
}

function scriptTitle(script: TimelineScript, index: number, count: number): string {
  if (script.name !== null) {
    return `script "${script.name}"`;
  }
  return count === 1 ? 'Timeline' : `Script ${index + 1}`;
}

function streamName(index: number): string {
  return `Stream ${index + 1}`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function round(percent: number): number {
  return Math.round(percent * 1000) / 1000;
}
