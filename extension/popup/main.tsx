// The toolbar popup: the active tab's summary and the settings. Glue: the UI is src/ui/popup.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { CorscopeDB } from '../../src/store/db';
import { pageCommands } from '../../src/store/export';
import { dexieSource } from '../../src/store/source';
import { PopupApp } from '../../src/ui';
import '../../src/ui/styles.css';

// Opened as a page in a tab (tests, screenshots), ?tabId= says which tab to summarize.
const asked = new URLSearchParams(location.search).get('tabId');
const [tab] = asked
  ? [await browser.tabs.get(Number(asked)).catch(() => undefined)]
  : await browser.tabs.query({ active: true, currentWindow: true });
// The open tabs: calls of any other tab id are a closed tab's, listed under "Other calls".
const openTabs = (await browser.tabs.query({})).flatMap((t) => (t.id === undefined ? [] : [t.id]));
const db = new CorscopeDB();
render(
  <PopupApp
    tabId={asked ? Number(asked) : (tab?.id ?? null)}
    pageUrl={tab?.url ?? null}
    source={dexieSource(db)}
    commands={pageCommands(db, (m) => browser.runtime.sendMessage(m))}
    openTabs={openTabs}
  />,
  document.getElementById('app')!,
);
