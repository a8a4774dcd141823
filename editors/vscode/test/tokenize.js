#!/usr/bin/env node
// Tokenizes lines with the extension's grammar the way VS Code does (vscode-textmate on the
// Oniguruma engine), for the Python tests. Each line of stdin is a request: a JSON array of
// source lines, each tokenized on its own from the grammar's initial state. Each answer is
// one line of stdout: a JSON array with, for each source line, its tokens as
// [start, end, scopes]. The process serves requests until stdin closes.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'ody.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.ody' ? textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
  });
  return registry.loadGrammar('source.ody');
}

async function main() {
  const grammar = await loadGrammar();
  for await (const request of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const tokenized = JSON.parse(request).map((line) =>
      grammar.tokenizeLine(line, textmate.INITIAL).tokens.map((token) => [token.startIndex, token.endIndex, token.scopes]),
    );
    process.stdout.write(`${JSON.stringify(tokenized)}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
