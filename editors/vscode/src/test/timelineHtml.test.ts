import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, renderNotice, renderTimeline, timelineShell } from '../timelineHtml';
import { layoutTimeline } from '../timelineLayout';
import { batch, twoStreams } from './fixtures';

test('text from the server is escaped everywhere it appears', () => {
  const html = renderTimeline(layoutTimeline(twoStreams()));
  assert.ok(!html.includes('<img'), 'a prompt became markup');
  assert.ok(!html.includes('<street>'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('title="A &lt;street&gt; &amp; &quot;rain&quot;"'));
  assert.equal(escapeHtml(`<a href='x'>&"</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;');
  assert.equal(renderNotice('<b>'), '<p class="notice">&lt;b&gt;</p>');
});

test('every entry is drawn once as a marker and once as a table row, each revealable', () => {
  const html = renderTimeline(layoutTimeline(twoStreams()));
  const markers = [...html.matchAll(/<g class="marker (\w+)" data-target="([^"]+)"/g)];
  assert.deepEqual(
    markers.map((match) => match[2]),
    ['entry:0:0', 'entry:0:1', 'entry:0:2', 'entry:0:3', 'entry:0:4', 'entry:0:5'],
  );
  const rows = [...html.matchAll(/<tr data-target="(entry:\d+:\d+)"/g)].map((match) => match[1]);
  assert.equal(rows.length, 6);
  assert.ok(html.includes('<circle cx="25%"'));
  assert.ok(html.includes('<title>2.5s · interact · stream 1 · iteration 1\nTaxi 1</title>'));
  assert.ok(html.includes('data-target="stream:0:1"'));
  assert.ok(html.includes('<rect class="span open" x="60%" width="40%"'));
});

test('problems and empty timelines are said in words', () => {
  assert.match(renderTimeline(layoutTimeline(twoStreams())), /<p class="problems">1 error, 2 warnings: the timeline may be partial\.<\/p>/);
  const empty = { uri: 'file:///x.ody', version: 1, errors: 0, warnings: 0, scripts: [] };
  assert.match(renderTimeline(layoutTimeline(empty)), /no entries yet/);
  assert.match(renderTimeline(layoutTimeline({ ...empty, errors: 3 })), /3 errors: no timeline yet/);
});

test('script headers of a batch are buttons that reveal the header', () => {
  const html = renderTimeline(layoutTimeline(batch()));
  assert.ok(html.includes('<button type="button" class="link" data-target="script:1">script &quot;evening&quot;</button>'));
});

test('the page runs only its own script and loads styles only from the extension', () => {
  const page = timelineShell({
    title: 'Timeline of <x>.ody',
    cspSource: 'https://webview.example',
    nonce: 'abc123',
    styleUri: 'https://webview.example/media/timeline.css',
    scriptUri: 'https://webview.example/out/webview/timeline.js',
  });
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1] ?? '';
  assert.equal(
    policy,
    "default-src &#39;none&#39;; style-src https://webview.example; img-src https://webview.example; script-src &#39;nonce-abc123&#39;",
  );
  assert.ok(!page.includes('unsafe-inline'));
  assert.ok(page.includes('<script nonce="abc123" src="https://webview.example/out/webview/timeline.js"></script>'));
  assert.ok(page.includes('<title>Timeline of &lt;x&gt;.ody</title>'));
  assert.equal([...page.matchAll(/<script/g)].length, 1);
});
