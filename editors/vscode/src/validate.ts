/**
 * Checks that an `ody/timeline` answer has the shape docs/lsp.md promises before anything is
 * drawn from it, so a server that sends something else gets a clear message, not a broken view.
 */

import type { EntryKind, Range, TimelineEntry, TimelineResult, TimelineScript, TimelineStream } from './protocol';

export class MalformedTimeline extends Error {}

type Fields = Record<string, unknown>;

export function validateTimeline(value: unknown): TimelineResult {
  const result = object(value, 'the result');
  return {
    uri: string(result.uri, 'uri'),
    version: result.version === null ? null : integer(result.version, 'version'),
    scripts: array(result.scripts, 'scripts').map((script, index) => validateScript(script, `scripts[${index}]`)),
    errors: integer(result.errors, 'errors'),
    warnings: integer(result.warnings, 'warnings'),
  };
}

function validateScript(value: unknown, where: string): TimelineScript {
  const script = object(value, where);
  return {
    name: script.name === null ? null : string(script.name, `${where}.name`),
    range: script.range === null ? null : range(script.range, `${where}.range`),
    durationMs: integer(script.durationMs, `${where}.durationMs`),
    streams: array(script.streams, `${where}.streams`).map((stream, index) =>
      validateStream(stream, `${where}.streams[${index}]`),
    ),
    entries: array(script.entries, `${where}.entries`).map((entry, index) =>
      validateEntry(entry, `${where}.entries[${index}]`),
    ),
  };
}

function validateStream(value: unknown, where: string): TimelineStream {
  const stream = object(value, where);
  return {
    index: integer(stream.index, `${where}.index`),
    startMs: integer(stream.startMs, `${where}.startMs`),
    endMs: stream.endMs === null ? null : integer(stream.endMs, `${where}.endMs`),
    prompt: string(stream.prompt, `${where}.prompt`),
    range: range(stream.range, `${where}.range`),
  };
}

const ENTRY_KINDS: readonly EntryKind[] = ['start', 'interact', 'end'];

function validateEntry(value: unknown, where: string): TimelineEntry {
  const entry = object(value, where);
  const kind = entry.kind;
  if (!ENTRY_KINDS.includes(kind as EntryKind)) {
    throw new MalformedTimeline(`${where}.kind is not one of ${ENTRY_KINDS.join(', ')}`);
  }
  return {
    timeMs: integer(entry.timeMs, `${where}.timeMs`),
    time: string(entry.time, `${where}.time`),
    kind: kind as EntryKind,
    prompt: entry.prompt === null ? null : string(entry.prompt, `${where}.prompt`),
    stream: entry.stream === null ? null : integer(entry.stream, `${where}.stream`),
    range: range(entry.range, `${where}.range`),
    iterations: array(entry.iterations, `${where}.iterations`).map((iteration, index) =>
      integer(iteration, `${where}.iterations[${index}]`),
    ),
  };
}

function range(value: unknown, where: string): Range {
  const fields = object(value, where);
  return { start: position(fields.start, `${where}.start`), end: position(fields.end, `${where}.end`) };
}

function position(value: unknown, where: string): Range['start'] {
  const fields = object(value, where);
  return { line: integer(fields.line, `${where}.line`), character: integer(fields.character, `${where}.character`) };
}

function object(value: unknown, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedTimeline(`${where} is not an object`);
  }
  return value as Fields;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new MalformedTimeline(`${where} is not an array`);
  }
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw new MalformedTimeline(`${where} is not a string`);
  }
  return value;
}

function integer(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new MalformedTimeline(`${where} is not a whole number ≥ 0`);
  }
  return value as number;
}
