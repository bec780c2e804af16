// Records six chrome.webRequest events for <all_urls>, in the order Chromium delivers them, into
// globalThis.__events, which tests read with serviceWorker.evaluate(). Every listener asks for
// 'extraHeaders' where Chromium accepts it: without it, CORS preflights and Origin are hidden.
globalThis.__events = [];
globalThis.__registration = {};

const filter = { urls: ['<all_urls>'] };
const wr = chrome.webRequest;

/** Registers a listener with the first option list Chromium accepts. */
function listen(kind, ...optionLists) {
  const listener = (details) => {
    globalThis.__events.push({ kind, details });
  };
  for (const options of optionLists) {
    try {
      if (options) wr[kind].addListener(listener, filter, options);
      else wr[kind].addListener(listener, filter);
      globalThis.__registration[kind] = options ?? [];
      return;
    } catch (e) {
      globalThis.__registration[`${kind}:rejected`] = `${JSON.stringify(options)}: ${e}`;
    }
  }
}

listen('onBeforeRequest', ['extraHeaders'], null);
listen('onSendHeaders', ['requestHeaders', 'extraHeaders']);
listen('onHeadersReceived', ['responseHeaders', 'extraHeaders']);
listen('onBeforeRedirect', ['responseHeaders', 'extraHeaders']);
listen('onCompleted', ['responseHeaders', 'extraHeaders'], ['extraHeaders'], null);
listen('onErrorOccurred', ['extraHeaders'], null);

globalThis.__take = () => globalThis.__events.splice(0);
