/**
 * The custom request `ody/timeline` that `odyc lsp` answers: the compiled timeline of a
 * document, with the source range of every entry. docs/lsp.md ("Custom requests") is the
 * contract; these types mirror it field for field.
 */

export const TIMELINE_METHOD = 'ody/timeline';

/** An LSP position, in the position encoding negotiated at `initialize`. */
export interface Position {
  line: number;
  character: number;
}

/** An LSP range, end exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

export interface TimelineParams {
  textDocument: { uri: string };
}

export interface TimelineResult {
  uri: string;
  /** The document version the timeline was computed from (null when the server has none). */
  version: number | null;
  scripts: TimelineScript[];
  /** How many errors and warnings the document has: a timeline of a broken document is partial. */
  errors: number;
  warnings: number;
}

export interface TimelineScript {
  /** The name of a `script "NAME":` block; null for a file without script blocks. */
  name: string | null;
  /** The script header; null for a file without script blocks. */
  range: Range | null;
  durationMs: number;
  streams: TimelineStream[];
  entries: TimelineEntry[];
}

export interface TimelineStream {
  /** 0-based, in the order the streams start; `TimelineEntry.stream` refers to it. */
  index: number;
  startMs: number;
  /** Null for a stream that never ends. */
  endMs: number | null;
  prompt: string;
  /** The `start` statement. */
  range: Range;
}

export type EntryKind = 'start' | 'interact' | 'end';

export interface TimelineEntry {
  timeMs: number;
  /** The same time as an Ody duration, such as "4.5s". */
  time: string;
  kind: EntryKind;
  /** The rendered prompt; null for `end`. */
  prompt: string | null;
  /** The stream the entry belongs to; null when no stream was running. */
  stream: number | null;
  /** The statement that emitted the entry. */
  range: Range;
  /** 1-based iteration numbers of the loops around the statement, outermost first. */
  iterations: number[];
}
