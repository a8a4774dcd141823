/**
 * The static parts of the extension: package.json, language-configuration.json and the
 * grammar agree with each other and with the code, and the editing rules do what they say.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { INLAY_HINT_KINDS } from '../settings';

/** The extension's folder (the compiled tests may live elsewhere; ODY_EXTENSION_ROOT says where). */
const root = process.env.ODY_EXTENSION_ROOT ?? path.resolve(__dirname, '..', '..');
const read = (name: string): any => JSON.parse(readFileSync(path.join(root, name), 'utf8'));
const manifest = read('package.json');
const configuration = read('language-configuration.json');

test('the language, its grammar and its configuration are wired together', () => {
  const [language] = manifest.contributes.languages;
  const [grammar] = manifest.contributes.grammars;
  assert.equal(language.id, 'ody');
  assert.deepEqual(language.extensions, ['.ody']);
  assert.equal(grammar.language, 'ody');
  assert.equal(read(grammar.path).scopeName, grammar.scopeName);
  assert.equal(path.normalize(language.configuration), 'language-configuration.json');
  assert.deepEqual(manifest.activationEvents, ['onLanguage:ody']);
});

test('every contributed command is registered by the code', () => {
  const source = readdirSync(path.join(root, 'src'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(path.join(root, 'src', name), 'utf8'))
    .join('\n');
  for (const { command } of manifest.contributes.commands) {
    assert.ok(source.includes(`registerCommand('${command}'`), command);
  }
});

test('the inlay hint settings are exactly the kinds the server is told about, all on by default', () => {
  const properties = manifest.contributes.configuration.properties;
  const hintSettings = Object.keys(properties).filter((key) => key.startsWith('ody.inlayHints.'));
  assert.deepEqual(hintSettings, INLAY_HINT_KINDS.map((kind) => `ody.inlayHints.${kind}`));
  for (const key of hintSettings) {
    assert.equal(properties[key].type, 'boolean');
    assert.equal(properties[key].default, true);
  }
  assert.equal(properties['ody.server.path'].default, 'odyc');
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['ody.server.path']);
});

test('a line ending in `:` indents the next one; other lines do not', () => {
  const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
  const onEnter = new RegExp(configuration.onEnterRules[0].beforeText);
  assert.equal(configuration.onEnterRules[0].action.indent, 'indent');
  const headers = [
    'at 2s repeat 3 every 1s:',
    '  for mood in ["a", "b:"] every pause:',
    'script "morning":',
    'script "a \\" quote":',
    'repeat 2 every 1s:   # a comment: with a colon',
    'after 1s for x in xs every 2s:  ',
  ];
  const others = [
    'at 0s: start "a:"',
    'portrait: false',
    '# a comment ending in:',
    'let x = "y:"',
    'at 0s: start "x" # note:',
    'interact "{{ a }}:"',
    '',
  ];
  for (const line of headers) {
    assert.ok(increase.test(line), `should indent after ${line}`);
    assert.ok(onEnter.test(line), `Enter should indent after ${line}`);
  }
  for (const line of others) {
    assert.ok(!increase.test(line), `should not indent after ${line}`);
    assert.ok(!onEnter.test(line), `Enter should not indent after ${line}`);
  }
});

test('comments, brackets, quotes and words', () => {
  assert.deepEqual(configuration.comments, { lineComment: '#' });
  assert.deepEqual(configuration.brackets, [['[', ']']]);
  const quote = configuration.autoClosingPairs.find((pair: { open: string }) => pair.open === '"');
  assert.deepEqual(quote, { open: '"', close: '"', notIn: ['string', 'comment'] });
  assert.equal(configuration.folding.offSide, true);
  const words = new RegExp(configuration.wordPattern, 'g');
  assert.deepEqual('after 1m30s: let x_2 = -1.5 3sec'.match(words), ['after', '1m30s', 'let', 'x_2', '-1.5', '3s', 'ec']);
});
