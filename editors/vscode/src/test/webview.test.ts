/**
 * The webview script, run in a fresh JavaScript context with the few browser objects it
 * touches (CI has no browser). It must load as a plain script (no CommonJS `exports`), show
 * what `render` messages carry, and relay clicks and Enter/Space on revealable elements.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as vm from 'node:vm';

type Listener = (event: any) => void;

class FakeElement {
  innerHTML = '';
  readonly listeners = new Map<string, Listener>();
  constructor(private readonly target: string | null = null) {}
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, listener);
  }
  closest(selector: string): FakeElement | null {
    assert.equal(selector, '[data-target]');
    return this.target === null ? null : this;
  }
  getAttribute(name: string): string | null {
    return name === 'data-target' ? this.target : null;
  }
}

function loadWebview() {
  const posted: unknown[] = [];
  const windowListeners = new Map<string, Listener>();
  const content = new FakeElement();
  const context = {
    acquireVsCodeApi: () => ({ postMessage: (message: unknown) => posted.push(message) }),
    document: { getElementById: (id: string) => (id === 'content' ? content : null) },
    window: { addEventListener: (type: string, listener: Listener) => windowListeners.set(type, listener) },
    Element: FakeElement,
  };
  const script = readFileSync(path.join(__dirname, '..', 'webview', 'timeline.js'), 'utf8');
  vm.runInNewContext(script, context);
  const send = (data: unknown) => windowListeners.get('message')?.({ data });
  // Objects made inside the context have its own prototypes: compare them as JSON.
  const messages = (): unknown => JSON.parse(JSON.stringify(posted));
  return { messages, content, send };
}

test('the script loads as a plain script and says it is ready', () => {
  const { messages } = loadWebview();
  assert.deepEqual(messages(), [{ type: 'ready' }]);
});

test('render messages replace the content; anything else is ignored', () => {
  const { content, send } = loadWebview();
  send({ type: 'render', id: 4, html: '<p>timeline</p>' });
  assert.equal(content.innerHTML, '<p>timeline</p>');
  send({ type: 'render', id: '5', html: '<p>other</p>' });
  send({ type: 'other', id: 6, html: '<p>other</p>' });
  send(null);
  assert.equal(content.innerHTML, '<p>timeline</p>');
});

test('a click or Enter on a revealable element asks to reveal it, naming the render shown', () => {
  const { messages, content, send } = loadWebview();
  send({ type: 'render', id: 9, html: '' });
  content.listeners.get('click')?.({ target: new FakeElement('entry:0:3') });
  content.listeners.get('click')?.({ target: new FakeElement(null) });
  let prevented = 0;
  const keydown = (key: string, target: FakeElement) =>
    content.listeners.get('keydown')?.({ key, target, preventDefault: () => (prevented += 1) });
  keydown('Enter', new FakeElement('stream:0:1'));
  keydown(' ', new FakeElement('script:1'));
  keydown('a', new FakeElement('entry:0:0'));
  assert.deepEqual(messages(), [
    { type: 'ready' },
    { type: 'reveal', id: 9, target: 'entry:0:3' },
    { type: 'reveal', id: 9, target: 'stream:0:1' },
    { type: 'reveal', id: 9, target: 'script:1' },
  ]);
  assert.equal(prevented, 2);
});
