/**
 * The "Preview timeline" webview: asks `odyc lsp` for `ody/timeline`, draws the answer, and
 * reveals the statement behind whatever is clicked. It refreshes on every change of its
 * document, never running two requests at once (see `CoalescingRunner`).
 */

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes, RequestType, ResponseError } from 'vscode-languageclient/node';

import { TIMELINE_METHOD, type TimelineParams, type TimelineResult } from './protocol';
import { CoalescingRunner } from './refresh';
import { parseTarget, rangeOfTarget } from './reveal';
import type { OdyServer } from './server';
import { renderNotice, renderTimeline, timelineShell } from './timelineHtml';
import { layoutTimeline } from './timelineLayout';
import { MalformedTimeline, validateTimeline } from './validate';

const TimelineRequest = new RequestType<TimelineParams, unknown, void>(TIMELINE_METHOD);

/** One preview per document. */
export class TimelinePreviews implements vscode.Disposable {
  private readonly open = new Map<string, TimelinePreview>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: OdyServer,
  ) {}

  show(document: vscode.TextDocument, sourceColumn: vscode.ViewColumn | undefined): void {
    const key = document.uri.toString();
    const existing = this.open.get(key);
    if (existing !== undefined) {
      existing.reveal();
      return;
    }
    const preview = new TimelinePreview(document.uri, sourceColumn, this.extensionUri, this.server, () =>
      this.open.delete(key),
    );
    this.open.set(key, preview);
  }

  dispose(): void {
    for (const preview of [...this.open.values()]) {
      preview.dispose();
    }
  }
}

class TimelinePreview implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refresher = new CoalescingRunner(() => this.refresh());
  private ready = false;
  /** What the webview shows: its id, its markup, and the result it was drawn from. */
  private shown: { id: number; html: string; result: TimelineResult | null } = { id: 0, html: '', result: null };
  private disposed = false;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly sourceColumn: vscode.ViewColumn | undefined,
    extensionUri: vscode.Uri,
    private readonly server: OdyServer,
    private readonly onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    const scripts = vscode.Uri.joinPath(extensionUri, 'out', 'webview');
    this.panel = vscode.window.createWebviewPanel(
      'ody.timeline',
      `Timeline: ${path.basename(uri.path)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media, scripts] },
    );
    const webview = this.panel.webview;
    webview.html = timelineShell({
      title: `Timeline of ${path.basename(uri.path)}`,
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'timeline.js')).toString(),
    });
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((message: unknown) => this.received(message)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === this.uri.toString()) {
          void this.refresher.request();
        }
      }),
      server.onDidChange(() => void this.refresher.request()),
    );
    void this.refresher.request();
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.refresher.stop();
    this.onDispose();
    this.panel.dispose();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private async refresh(): Promise<void> {
    const client = this.server.client;
    if (client === undefined) {
      this.show(renderNotice('The Ody language server (odyc lsp) is not running, so there is no timeline to show.'), null);
      return;
    }
    let answer: unknown;
    try {
      answer = await client.sendRequest(TimelineRequest, { textDocument: { uri: client.code2ProtocolConverter.asUri(this.uri) } });
    } catch (error) {
      this.show(renderNotice(requestFailure(error)), null);
      return;
    }
    if (answer === null) {
      this.show(renderNotice('The language server has no timeline for this document.'), null);
      return;
    }
    let result: TimelineResult;
    try {
      result = validateTimeline(answer);
    } catch (error) {
      const reason = error instanceof MalformedTimeline ? error.message : String(error);
      this.show(renderNotice(`The language server's timeline could not be read: ${reason}.`), null);
      return;
    }
    const shownVersion = this.shown.result?.version ?? null;
    if (result.version !== null && shownVersion !== null && result.version < shownVersion) {
      return; // an answer about an older version than the one shown
    }
    this.show(renderTimeline(layoutTimeline(result)), result);
  }

  private show(html: string, result: TimelineResult | null): void {
    this.shown = { id: this.shown.id + 1, html, result };
    this.post();
  }

  private post(): void {
    if (this.ready && !this.disposed) {
      void this.panel.webview.postMessage({ type: 'render', id: this.shown.id, html: this.shown.html });
    }
  }

  private received(message: unknown): void {
    if (typeof message !== 'object' || message === null) {
      return;
    }
    const { type, id, target } = message as { type?: unknown; id?: unknown; target?: unknown };
    if (type === 'ready') {
      this.ready = true;
      this.post();
    } else if (type === 'reveal' && id === this.shown.id) {
      void this.revealSource(target);
    }
  }

  private async revealSource(text: unknown): Promise<void> {
    const target = parseTarget(text);
    const result = this.shown.result;
    const client = this.server.client;
    if (target === null || result === null || client === undefined) {
      return;
    }
    const range = rangeOfTarget(result, target);
    if (range === null) {
      return;
    }
    const selection = client.protocol2CodeConverter.asRange(range);
    const editor = await vscode.window.showTextDocument(this.uri, {
      viewColumn: this.sourceColumn ?? vscode.ViewColumn.One,
      selection,
    });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

function requestFailure(error: unknown): string {
  if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
    return 'This odyc lsp does not answer ody/timeline: update odyc to preview timelines.';
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `The timeline request failed: ${reason}`;
}
