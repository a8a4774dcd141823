/**
 * The extension's settings and what the language server receives of them: the inlay hint
 * kinds go to `odyc lsp` as `initializationOptions` at start and in
 * `workspace/didChangeConfiguration` when they change (docs/lsp.md, "Client settings").
 */

/** Reads one setting of the `ody` section, like `vscode.WorkspaceConfiguration.get`. */
export type SettingReader = <T>(key: string, fallback: T) => T;

/** The inlay hint kinds, by their setting name under `ody.inlayHints`. */
export const INLAY_HINT_KINDS = [
  'resolvedTimes',
  'loopIterations',
  'loopBodyTimes',
  'streamDurations',
] as const;

export type InlayHintKind = (typeof INLAY_HINT_KINDS)[number];

export type InlayHintOptions = Record<InlayHintKind, boolean>;

export interface ServerOptions {
  inlayHints: InlayHintOptions;
}

export const DEFAULT_SERVER_PATH = 'odyc';

/** The `odyc` executable to run; an empty or blank setting means the default. */
export function serverPath(read: SettingReader): string {
  const path = read<unknown>('server.path', DEFAULT_SERVER_PATH);
  return typeof path === 'string' && path.trim() !== '' ? path.trim() : DEFAULT_SERVER_PATH;
}

/** Every inlay hint kind with its setting; a kind is on unless set to `false`. */
export function inlayHintOptions(read: SettingReader): InlayHintOptions {
  const options = {} as InlayHintOptions;
  for (const kind of INLAY_HINT_KINDS) {
    options[kind] = read<unknown>(`inlayHints.${kind}`, true) !== false;
  }
  return options;
}

/** The `initializationOptions` of `initialize`. */
export function initializationOptions(read: SettingReader): ServerOptions {
  return { inlayHints: inlayHintOptions(read) };
}

/** The params of `workspace/didChangeConfiguration` sent when a setting the server uses changes. */
export function configurationChange(read: SettingReader): { settings: { ody: ServerOptions } } {
  return { settings: { ody: initializationOptions(read) } };
}
