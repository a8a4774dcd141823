/** The Ody extension: the language client for `odyc lsp` and the "Preview timeline" command. */

import * as vscode from 'vscode';

import { OdyServer } from './server';
import { TimelinePreviews } from './timelinePanel';

let server: OdyServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const odyServer = new OdyServer();
  server = odyServer;
  const previews = new TimelinePreviews(context.extensionUri, odyServer);
  context.subscriptions.push(
    odyServer,
    previews,
    vscode.commands.registerCommand('ody.previewTimeline', (resource?: unknown) => previewTimeline(previews, resource)),
    vscode.commands.registerCommand('ody.restartServer', () => odyServer.restart()),
    vscode.workspace.onDidChangeConfiguration((event) => odyServer.configurationChanged(event)),
  );
  void odyServer.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}

/** Previews the document a menu passed, or else the active editor's. */
async function previewTimeline(previews: TimelinePreviews, resource: unknown): Promise<void> {
  const active = vscode.window.activeTextEditor;
  const document =
    resource instanceof vscode.Uri ? await vscode.workspace.openTextDocument(resource) : active?.document;
  if (document === undefined || document.languageId !== 'ody') {
    void vscode.window.showInformationMessage('Open an .ody file to preview its timeline.');
    return;
  }
  const column = active?.document === document ? active.viewColumn : undefined;
  previews.show(document, column);
}
