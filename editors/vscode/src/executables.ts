/** Finding the `odyc` executable before starting it, so a missing one gets a message that says how to fix it. */

import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * The file `command` runs: a command that contains a path separator is that path (a relative
 * one from `folder`); otherwise the first match on PATH (trying PATHEXT's extensions on
 * Windows). Null when there is none.
 */
export async function findExecutable(
  command: string,
  folder: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  const extensions = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  const candidates = (base: string): string[] => extensions.map((extension) => base + extension);
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return firstExecutable(candidates(path.resolve(folder, command)));
  }
  const folders = (env.PATH ?? '').split(platform === 'win32' ? ';' : ':').filter((folder) => folder !== '');
  return firstExecutable(folders.flatMap((folder) => candidates(path.join(folder, command))));
}

async function firstExecutable(paths: string[]): Promise<string | null> {
  for (const candidate of paths) {
    try {
      const stat = await fs.stat(candidate);
      if (stat.isFile()) {
        await fs.access(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not there, or not executable: try the next
    }
  }
  return null;
}
