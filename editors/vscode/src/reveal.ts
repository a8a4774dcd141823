/**
 * Reveal targets travel between the preview and the extension as short strings
 * (`entry:0:3`, `stream:0:1`, `script:0`): the webview only names what was clicked, and the
 * extension looks the range up in the result it drew.
 */

import type { RevealTarget } from './timelineLayout';
import type { Range, TimelineResult } from './protocol';

export function encodeTarget(target: RevealTarget): string {
  switch (target.kind) {
    case 'entry':
      return `entry:${target.script}:${target.entry}`;
    case 'stream':
      return `stream:${target.script}:${target.stream}`;
    case 'script':
      return `script:${target.script}`;
  }
}

/** The target a string names, or null when it names none (anything from a webview is checked). */
export function parseTarget(text: unknown): RevealTarget | null {
  if (typeof text !== 'string') {
    return null;
  }
  const match = /^(entry|stream|script):(\d{1,9})(?::(\d{1,9}))?$/.exec(text);
  if (match === null) {
    return null;
  }
  const [, kind, first, second] = match;
  const script = Number(first);
  if (kind === 'script') {
    return second === undefined ? { kind, script } : null;
  }
  if (second === undefined) {
    return null;
  }
  return kind === 'entry'
    ? { kind: 'entry', script, entry: Number(second) }
    : { kind: 'stream', script, stream: Number(second) };
}

/** The source range a target points at in `result`, or null when the result has no such thing. */
export function rangeOfTarget(result: TimelineResult, target: RevealTarget): Range | null {
  const script = result.scripts[target.script];
  if (script === undefined) {
    return null;
  }
  switch (target.kind) {
    case 'entry':
      return script.entries[target.entry]?.range ?? null;
    case 'stream':
      return script.streams.find((stream) => stream.index === target.stream)?.range ?? null;
    case 'script':
      return script.range;
  }
}
