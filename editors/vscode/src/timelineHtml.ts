/** The markup of the timeline preview's content, from a `TimelineLayout`. */

import { encodeTarget } from './reveal';
import type { Lane, RevealTarget, ScriptLayout, TimelineLayout, Tick } from './timelineLayout';

const LANE_HEIGHT = 28;
const MIDDLE = LANE_HEIGHT / 2;
const MARKER_RADIUS = 6;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function renderTimeline(layout: TimelineLayout): string {
  const parts: string[] = [];
  if (layout.problems !== '') {
    const note = layout.scripts.length === 0 ? 'no timeline yet' : 'the timeline may be partial';
    parts.push(`<p class="problems">${escapeHtml(layout.problems)}: ${note}.</p>`);
  } else if (layout.scripts.length === 0) {
    parts.push('<p class="empty">This document has no entries yet.</p>');
  }
  parts.push(...layout.scripts.map(renderScript));
  return parts.join('\n');
}

/** A notice shown instead of a timeline (no server, a failed request). */
export function renderNotice(message: string): string {
  return `<p class="notice">${escapeHtml(message)}</p>`;
}

function renderScript(script: ScriptLayout): string {
  const title = escapeHtml(script.title);
  const heading = script.target === null ? title : button(script.target, 'link', title);
  return [
    '<section class="script">',
    `<h2>${heading} <span class="summary">${escapeHtml(script.summary)}</span></h2>`,
    '<div class="chart">',
    ...script.lanes.map(renderLane),
    renderAxis(script.ticks),
    '</div>',
    renderRows(script),
    '</section>',
  ].join('\n');
}

function renderLane(lane: Lane): string {
  const label = `${escapeHtml(lane.label)}<span class="detail">${escapeHtml(lane.detail)}</span>`;
  const heading =
    lane.target === null
      ? `<div class="lane-label" title="${escapeHtml(lane.tooltip)}">${label}</div>`
      : button(lane.target, 'lane-label', label, lane.tooltip);
  const shapes: string[] = [];
  if (lane.span !== null) {
    const kind = lane.span.open ? 'span open' : 'span';
    const width = Math.max(0, lane.span.to - lane.span.from);
    shapes.push(
      `<rect class="${kind}" x="${lane.span.from}%" width="${width}%" y="${MIDDLE - 3}" height="6" rx="3"></rect>`,
    );
  }
  for (const marker of lane.markers) {
    const tooltip = escapeHtml(marker.tooltip);
    shapes.push(
      `<g class="marker ${escapeHtml(marker.kind)}" data-target="${encodeTarget(marker.target)}" tabindex="0" role="button" aria-label="${tooltip}">` +
        `<title>${tooltip}</title>` +
        `<circle cx="${marker.x}%" cy="${MIDDLE}" r="${MARKER_RADIUS}"></circle></g>`,
    );
  }
  return [
    '<div class="lane">',
    heading,
    `<svg class="track" height="${LANE_HEIGHT}" aria-label="${escapeHtml(lane.label)}">${shapes.join('')}</svg>`,
    '</div>',
  ].join('\n');
}

function renderAxis(ticks: Tick[]): string {
  const marks = ticks.map(
    (tick) =>
      `<line x1="${tick.x}%" x2="${tick.x}%" y1="0" y2="5"></line>` +
      `<text x="${tick.x}%" y="18">${escapeHtml(tick.label)}</text>`,
  );
  return [
    '<div class="lane axis">',
    '<div class="lane-label"></div>',
    `<svg class="track" height="${LANE_HEIGHT}" aria-hidden="true"><line x1="0%" x2="100%" y1="0" y2="0"></line>${marks.join('')}</svg>`,
    '</div>',
  ].join('\n');
}

function renderRows(script: ScriptLayout): string {
  if (script.rows.length === 0) {
    return '<p class="empty">No entries.</p>';
  }
  const rows = script.rows.map(
    (row) =>
      `<tr data-target="${encodeTarget(row.target)}" tabindex="0">` +
      `<td class="time">${escapeHtml(row.time)}</td>` +
      `<td class="kind ${escapeHtml(row.kind)}">${escapeHtml(row.kind)}</td>` +
      `<td>${escapeHtml(row.stream)}</td>` +
      `<td>${escapeHtml(row.iterations)}</td>` +
      `<td class="prompt">${escapeHtml(row.prompt)}</td></tr>`,
  );
  return [
    '<table class="entries">',
    '<thead><tr><th>time</th><th>action</th><th>stream</th><th>iteration</th><th>prompt</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

function button(target: RevealTarget, className: string, content: string, tooltip?: string): string {
  const title = tooltip === undefined ? '' : ` title="${escapeHtml(tooltip)}"`;
  return `<button type="button" class="${className}" data-target="${encodeTarget(target)}"${title}>${content}</button>`;
}

export interface ShellOptions {
  title: string;
  /** The webview's `cspSource`: where its style sheet and script may come from. */
  cspSource: string;
  /** A fresh random value: only the script carrying it runs. */
  nonce: string;
  styleUri: string;
  scriptUri: string;
}

/**
 * The page the webview loads once. Its content arrives later in `render` messages; nothing
 * inline runs or applies styles (the Content-Security-Policy forbids it).
 */
export function timelineShell(options: ShellOptions): string {
  const policy = [
    "default-src 'none'",
    `style-src ${options.cspSource}`,
    `img-src ${options.cspSource}`,
    `script-src 'nonce-${options.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(options.styleUri)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<main id="content"><p class="notice">Loading the timeline…</p></main>
<script nonce="${escapeHtml(options.nonce)}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}
