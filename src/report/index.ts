// Reports: HAR 1.2 export and streaming import, the Markdown report. Pure: no browser APIs.
export {
  CORS_NET_ERROR,
  CORSCOPE_CREATOR,
  entriesOf,
  type HarOptions,
  SANITIZED_COMMENT,
  toHar,
} from './har';
export {
  type BuilderOptions,
  ExchangeBuilder,
  HarImport,
  type HarWire,
  harEngine,
  type ImportedExchange,
  readEntry,
} from './har-import';
export * from './har-types';
export { type HarIssue, type HarMeta, HarScanner, type ScanLimits, scanHarEntries } from './json-stream';
export { MarkdownReport, type MarkdownRow, reasonWords, toMarkdown } from './markdown';
