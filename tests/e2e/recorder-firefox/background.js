// Records six webRequest events for <all_urls>, in the order Firefox delivers them, into
// globalThis.__events; tests read them from recorder.html (getBackgroundPage().__take(), as JSON).
// Firefox rejects 'extraHeaders' (it shows preflights and every header without it): each listener takes
// the first option list Firefox accepts, and __registration says which.
globalThis.__events = [];
globalThis.__registration = {};

const filter = { urls: ['<all_urls>'] };
const wr = browser.webRequest;

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
listen('onSendHeaders', ['requestHeaders', 'extraHeaders'], ['requestHeaders']);
listen('onHeadersReceived', ['responseHeaders', 'extraHeaders'], ['responseHeaders']);
listen('onBeforeRedirect', ['responseHeaders', 'extraHeaders'], ['responseHeaders']);
listen('onCompleted', ['responseHeaders', 'extraHeaders'], ['responseHeaders'], null);
listen('onErrorOccurred', ['extraHeaders'], null);

globalThis.__take = () => JSON.stringify(globalThis.__events.splice(0));
globalThis.__registrationJson = () => JSON.stringify(globalThis.__registration);
