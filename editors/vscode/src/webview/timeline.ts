/*
 * The script of the timeline preview (runs inside the webview, not in the extension host).
 * It shows the markup the extension sends in `render` messages and, when an entry, a stream
 * or a script header is clicked (or activated with Enter or Space), asks the extension to
 * reveal it in the editor. The extension renders everything; this script only relays.
 */

interface WebviewApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): WebviewApi;

{
  const api = acquireVsCodeApi();
  const content = document.getElementById('content');
  let shownId = -1;

  const revealFrom = (start: EventTarget | null): boolean => {
    const element = start instanceof Element ? start.closest('[data-target]') : null;
    const target = element?.getAttribute('data-target');
    if (target === null || target === undefined) {
      return false;
    }
    api.postMessage({ type: 'reveal', id: shownId, target });
    return true;
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as { type?: unknown; id?: unknown; html?: unknown } | null;
    if (content !== null && message?.type === 'render' && typeof message.id === 'number' && typeof message.html === 'string') {
      shownId = message.id;
      content.innerHTML = message.html;
    }
  });
  content?.addEventListener('click', (event) => {
    revealFrom(event.target);
  });
  content?.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ' ') && revealFrom(event.target)) {
      event.preventDefault();
    }
  });
  api.postMessage({ type: 'ready' });
}
