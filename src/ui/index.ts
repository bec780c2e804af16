// The UI's public surface: the apps, their data interfaces, and the pure helpers.
export { curlFor } from './curl';
export { useRow, useRows, useSettings } from './hooks';
export { copyText, downloadFile, exportFilename } from './io';
export { type MemorySource, memoryCommands, memorySource } from './memory-source';
export * from './model';
export { PanelApp, type PanelAppProps } from './panel/PanelApp';
export { PopupApp, type PopupAppProps, tabStats } from './popup/PopupApp';
export { probeCommand } from './probe-command';
export { bashQuote } from './shell';
export * from './snippets';
export { VirtualList, type VirtualListProps } from './VirtualList';
