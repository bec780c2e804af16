// The toolbar popup: the active tab's summary and the settings. Glue: the UI is src/ui/popup.
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { commandsOver } from '../../src/messaging/protocol';
import { dexieSource } from '../../src/store/source';
import { PopupApp } from '../../src/ui';
import '../../src/ui/styles.css';

// Opened as a page in a tab (tests, screenshots), ?tabId= says which tab to summarize.
const asked = new URLSearchParams(location.search).get('tabId');
const [tab] = asked ? [] : await browser.tabs.query({ active: true, currentWindow: true });
render(
  <PopupApp
    tabId={asked ? Number(asked) : (tab?.id ?? null)}
    source={dexieSource()}
    commands={commandsOver((m) => browser.runtime.sendMessage(m))}
  />,
  document.getElementById('app')!,
);
