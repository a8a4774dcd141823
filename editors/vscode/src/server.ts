/** The language client: starts `odyc lsp` over stdio, restarts it, and passes settings on. */

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { findExecutable } from './executables';
import { configurationChange, initializationOptions, serverPath, type SettingReader } from './settings';

export class OdyServer implements vscode.Disposable {
  private current: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly output = vscode.window.createOutputChannel('Ody', { log: true });

  /** Fires when a client has started or stopped. */
  readonly onDidChange = this.changed.event;

  /** The running client, if any. */
  get client(): LanguageClient | undefined {
    return this.current?.isRunning() ? this.current : undefined;
  }

  start(): Promise<void> {
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.starting;
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    if (client !== undefined) {
      try {
        await client.stop();
      } catch (error) {
        this.output.warn(`stopping the language server: ${describe(error)}`);
      }
      this.changed.fire();
    }
  }

  /** Restarts the server when its path changes; passes the inlay hint settings on when they do. */
  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (event.affectsConfiguration('ody.server.path')) {
      await this.restart();
    } else if (event.affectsConfiguration('ody.inlayHints')) {
      await this.client?.sendNotification(DidChangeConfigurationNotification.type, configurationChange(settings()));
    }
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
    this.output.dispose();
  }

  private async launch(): Promise<void> {
    const command = serverPath(settings());
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    const executable = await findExecutable(command, folder, process.env);
    if (executable === null) {
      this.output.error(`\`${command}\` was not found (PATH: ${process.env.PATH ?? ''})`);
      void this.explain(
        `Ody: \`${command}\` was not found, so the language server (\`odyc lsp\`) is not running. ` +
          'Syntax highlighting still works. Install odyc, or set "ody.server.path" to the odyc executable.',
      );
      return;
    }
    const serverOptions: ServerOptions = { command: executable, args: ['lsp'], transport: TransportKind.stdio };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'ody' }],
      initializationOptions: initializationOptions(settings()),
      outputChannel: this.output,
    };
    const client = new LanguageClient('ody', 'Ody', serverOptions, clientOptions);
    try {
      await client.start();
    } catch (error) {
      client.dispose().catch(() => undefined);
      void this.explain(
        `Ody: \`${executable} lsp\` did not start (${describe(error)}). ` +
          'The language server needs an odyc that has the `odyc lsp` command.',
      );
      return;
    }
    this.current = client;
    this.changed.fire();
  }

  private async explain(message: string): Promise<void> {
    const openSettings = 'Open Settings';
    const showLog = 'Show Log';
    const choice = await vscode.window.showWarningMessage(message, openSettings, showLog);
    if (choice === openSettings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'ody.server.path');
    } else if (choice === showLog) {
      this.output.show();
    }
  }
}

/** The `ody` section of the settings, read afresh. */
function settings(): SettingReader {
  const section = vscode.workspace.getConfiguration('ody');
  return <T>(key: string, fallback: T): T => section.get<T>(key, fallback);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
