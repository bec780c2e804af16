// A streaming reader for HAR files: walks the JSON text chunk by chunk and hands out `log.entries` one
// entry at a time, so memory stays bounded by the largest entry, never the file.
//
// Only the outer structure (the root object, `log`, `log.entries`) is tokenized here. Each entry's text is
// cut out by a scanner that tracks strings and nesting, then parsed with JSON.parse on its own. String
// values that no importer needs to hold whole are cut as they stream past: a body (`text`) longer than
// 1 KiB always, any other string longer than `maxString`; an entry still larger than `maxEntry` is skipped.

export interface HarIssue {
  /** Index into log.entries of the entry concerned; null for the file as a whole. */
  entry: number | null;
  /** The field at fault, e.g. "request.url"; null when the whole entry or file is. */
  field: string | null;
  message: string;
  /**
   * fatal: the file could not be read past this point (not JSON, not HAR, truncated);
   * error: an entry was skipped or a part of the file ignored; note: read, with something worth saying.
   */
  level: 'fatal' | 'error' | 'note';
}

export interface HarMeta {
  version?: unknown;
  creator?: unknown;
  browser?: unknown;
  pages?: unknown;
  comment?: unknown;
}

export interface ScannedEntry {
  index: number;
  value: unknown;
}

export interface ScanLimits {
  /** Longest string value kept whole (characters of JSON text); longer ones are cut. Default 1 MiB. */
  maxString?: number;
  /** Largest entry kept (characters, after cutting long strings); larger ones are skipped. Default 8 MiB. */
  maxEntry?: number;
}

const BODY_KEEP = 1024;

enum Tok {
  Quote = 0x22,
  Comma = 0x2c,
  Colon = 0x3a,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Backslash = 0x5c,
}

/**
 * A character as an error names it: printable ones quoted ("<"), the rest by code point, so an invisible one
 * (a no-break space, a zero-width space, a control character) is named rather than shown as a blank.
 */
function characterName(c: number): string {
  if (c > 0x20 && c < 0x7f) return JSON.stringify(String.fromCharCode(c));
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = INVISIBLE[c];
  if (name) return `${hex} (${name})`;
  return c < 0x20 || (c >= 0x7f && c < 0xa0) ? hex : `${JSON.stringify(String.fromCharCode(c))} (${hex})`;
}

/** Text quoted for an error, its invisible characters named by code point: "\u00a01" → `"<U+00A0 (no-break space)>1"`. */
function visibleText(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += (c > 0x20 && c < 0x7f) || (c >= 0xa0 && !INVISIBLE[c]) ? ch : `<${characterName(c)}>`;
  }
  return JSON.stringify(out);
}

/** JSON.parse's message with the character it names spelled out when it cannot be seen ("token ' '"). */
function parseMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(
    /token '([^']|[\uD800-\uDBFF][\uDC00-\uDFFF])'/u,
    (_, ch: string) => `token ${characterName(ch.codePointAt(0)!)}`,
  );
}

const INVISIBLE: Record<number, string> = {
  0: 'NUL',
  9: 'tab',
  10: 'line feed',
  13: 'carriage return',
  32: 'space',
  127: 'DEL',
  160: 'no-break space',
  173: 'soft hyphen',
  8199: 'figure space',
  8203: 'zero-width space',
  8204: 'zero-width non-joiner',
  8205: 'zero-width joiner',
  8232: 'line separator',
  8233: 'paragraph separator',
  8239: 'narrow no-break space',
  8288: 'word joiner',
  65279: 'byte order mark',
};

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const PRIMITIVE = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;
/** Where a HAR's text begins: its top-level object opening on the "log" key. */
const HAR_START = /\{\s*"log"\s*:/;
/** How far past text that is not JSON the reader looks for a HAR before it gives up saying where one begins. */
const PREFIX_LOOKAHEAD = 64 * 1024;
/** The end of what was searched, kept so a HAR's start split across two chunks is found. */
const HAR_START_CARRY = 64;

/** What the outer walker is waiting for. */
type Where =
  | 'root' // the first value
  | 'obj-key-or-end' // after '{'
  | 'obj-key' // after ','
  | 'obj-colon'
  | 'obj-value'
  | 'obj-comma-or-end'
  | 'arr-value-or-end' // after '[' (log.entries)
  | 'arr-value'
  | 'arr-comma-or-end'
  | 'after-root'
  | 'prefix' // not JSON at the start: looking ahead for a HAR after the text, to say where it begins
  | 'dead';

interface Frame {
  /** 0: the root object; 1: log; 2: log.entries. */
  level: 0 | 1 | 2;
}

/** Scans one JSON value (any depth), keeping its text or not. Resumable across chunks. */
class ValueScanner {
  keep = false;
  parts: string[] = [];
  /** Start in the current chunk of text not yet copied to parts; -1 when not keeping. */
  seg = -1;
  stack: number[] = [];
  expectKey = false;
  lastKey = '';
  inString = false;
  escape = false;
  strLen = 0;
  strIsKey = false;
  strStart = -1;
  strStartPart = 0;
  strCut = false;
  keyText = '';
  primitive = '';
  inPrimitive = false;
  done = false;
  size = 0;
  tooBig = false;
  /** Long strings cut outside bodies: [key, length]. */
  cuts: [string, number][] = [];
  /** A structural error: JSON that cannot be. */
  error: string | null = null;
  /** A word that is not a JSON value (the structure around it still reads). */
  badValue: string | null = null;

  reset(keep: boolean): void {
    this.keep = keep;
    this.parts = [];
    this.seg = -1;
    this.stack.length = 0;
    this.expectKey = false;
    this.lastKey = '';
    this.inString = false;
    this.escape = false;
    this.inPrimitive = false;
    this.primitive = '';
    this.done = false;
    this.size = 0;
    this.tooBig = false;
    this.cuts = [];
    this.error = null;
    this.badValue = null;
  }

  text(): string {
    return this.parts.join('');
  }
}

export class HarScanner {
  readonly issues: HarIssue[] = [];
  readonly meta: HarMeta = {};
  /** Entries whose text was read whole (parsed or not). */
  entriesSeen = 0;
  private readonly maxString: number;
  private readonly maxEntry: number;
  private where: Where = 'root';
  private frames: Frame[] = [];
  private key: string | null = null;
  private sawLog = false;
  private rootScalar = false;
  private sawEntries = false;
  private rootKeys: string[] = [];
  private offset = 0;
  private readonly v = new ValueScanner();
  private scanning: 'none' | 'key' | 'entry' | 'meta' | 'skip' = 'none';
  private out: ScannedEntry[] = [];
  private chunk = '';
  /** In 'prefix': the error to report, and the tail of what was searched. */
  private prefix = { message: '', carry: '', searched: 0 };
  private quoteAt = -1;
  private slashAt = -1;

  constructor(limits: ScanLimits = {}) {
    this.maxString = limits.maxString ?? 1024 * 1024;
    this.maxEntry = limits.maxEntry ?? 8 * 1024 * 1024;
  }

  /** True once the input cannot be read further (not JSON, not HAR). */
  get dead(): boolean {
    return this.where === 'dead';
  }

  /** Whether the text is still read as JSON (not given up, nor only searched for a HAR after a bad start). */
  private get walking(): boolean {
    return this.where !== 'dead' && this.where !== 'prefix';
  }

  /** Feeds the next piece of text; returns the entries completed in it. */
  push(chunk: string): ScannedEntry[] {
    this.out = [];
    if (this.where === 'prefix') {
      this.seekHar(chunk, 0);
      this.offset += chunk.length;
      return this.out;
    }
    this.chunk = chunk;
    this.quoteAt = -1;
    this.slashAt = -1;
    const n = chunk.length;
    let i = 0;
    while (i < n && this.walking) {
      if (this.scanning !== 'none') {
        i = this.scanValue(i);
        if (this.v.done) this.valueDone(i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      i = this.structural(c, i);
    }
    if (this.scanning !== 'none') this.flushChunkEnd();
    this.offset += n;
    return this.out;
  }

  /** The input ended: reports truncation or a missing log.entries. */
  end(): ScannedEntry[] {
    this.out = [];
    if (this.scanning !== 'none' && this.v.inPrimitive && this.v.stack.length === 0) {
      // A number at the very end of the text ends with it (its text was kept at the chunk's end).
      this.finishPrimitive();
      this.chunk = '';
      if (this.v.done) this.valueDone(0);
    }
    if (this.where === 'dead') return this.out;
    if (this.where === 'prefix') {
      this.fatal(this.prefix.message);
    } else if (this.where === 'root') {
      this.fatal('not JSON: the file is empty');
    } else if (this.where !== 'after-root') {
      const inside = this.frames.some((f) => f.level === 2)
        ? `log.entries[${this.entriesSeen}]`
        : this.frames.length > 1
          ? 'log'
          : 'the top-level object';
      this.fatal(
        `truncated: the file ends inside ${inside} at character ${this.offset}; ${this.entriesSeen} ` +
          `${this.entriesSeen === 1 ? 'entry was' : 'entries were'} read before the cut`,
        this.frames.some((f) => f.level === 2) ? this.entriesSeen : null,
      );
    } else if (!this.sawEntries) {
      this.notHar();
    }
    return this.out;
  }

  private fatal(message: string, entry: number | null = null): void {
    this.issues.push({ entry, field: null, message, level: 'fatal' });
    this.where = 'dead';
    this.scanning = 'none';
  }

  private notHar(): void {
    const what = !this.sawLog
      ? `no "log" object (top-level keys: ${this.rootKeys.length ? this.rootKeys.join(', ') : 'none'})`
      : 'no "log.entries" array';
    this.fatal(`not a HAR file: ${what}`);
  }

  private unexpected(c: number, i: number, wanted: string): number {
    const ch = characterName(c);
    if (this.where === 'root')
      this.notJsonAtStart(`not JSON: unexpected ${ch} at character ${this.offset + i}`, i);
    else this.fatal(`not JSON: unexpected ${ch} at character ${this.offset + i}, expected ${wanted}`);
    return i + 1;
  }

  /**
   * The file does not start as JSON. Text before a HAR (a console's prompt, a note pasted above it) is a
   * common cause, so the reader looks ahead for the HAR's `{"log":` before it reports the error, and says
   * where the HAR begins when it finds one.
   */
  private notJsonAtStart(message: string, i: number): void {
    this.where = 'prefix';
    this.prefix = { message, carry: '', searched: 0 };
    this.seekHar(this.chunk, i);
  }

  /** In 'prefix': looks for a HAR's start in `text` from `from` (text starts at this.offset). */
  private seekHar(text: string, from: number): void {
    const p = this.prefix;
    const hay = p.carry + text.slice(from);
    const at = hay.search(HAR_START);
    if (at >= 0) {
      const begins = this.offset + from - p.carry.length + at;
      this.fatal(
        `${p.message}; a HAR ({"log": ...) begins at character ${begins}: remove the text before it`,
      );
      return;
    }
    p.searched += text.length - from;
    if (p.searched > PREFIX_LOOKAHEAD) this.fatal(p.message);
    else p.carry = hay.slice(-HAR_START_CARRY);
  }

  private get frame(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** One structural character of the outer levels (root, log, log.entries). */
  private structural(c: number, i: number): number {
    switch (this.where) {
      case 'root':
        if (c === 0xfeff) return i + 1; // a byte order mark
        if (c === Tok.OpenBrace) {
          this.frames.push({ level: 0 });
          this.where = 'obj-key-or-end';
          return i + 1;
        }
        if (c === Tok.OpenBracket || c === Tok.Quote) {
          this.fatal(
            `not a HAR file: the top level is ${c === Tok.Quote ? 'a string' : 'an array'}, not an object with "log"`,
          );
          return i + 1;
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
          // A number, true, false or null, or a word that is not JSON: scan it to tell which.
          this.rootScalar = true;
          this.startValue('skip', i);
          return i;
        }
        return this.unexpected(c, i, 'a JSON value');
      case 'obj-key-or-end':
      case 'obj-key':
        if (c === Tok.Quote) {
          this.startValue('key', i);
          return i;
        }
        if (c === Tok.CloseBrace && this.where === 'obj-key-or-end') return this.closeObject(i);
        return this.unexpected(c, i, 'a key');
      case 'obj-colon':
        if (c === Tok.Colon) {
          this.where = 'obj-value';
          return i + 1;
        }
        return this.unexpected(c, i, '":"');
      case 'obj-value':
        return this.objectValue(c, i);
      case 'obj-comma-or-end':
        if (c === Tok.Comma) {
          this.where = 'obj-key';
          return i + 1;
        }
        if (c === Tok.CloseBrace) return this.closeObject(i);
        return this.unexpected(c, i, '"," or "}"');
      case 'arr-value-or-end':
      case 'arr-value':
        if (c === Tok.CloseBracket && this.where === 'arr-value-or-end') return this.closeEntries(i);
        if (c === Tok.CloseBracket || c === Tok.Comma || c === Tok.Colon || c === Tok.CloseBrace)
          return this.unexpected(c, i, 'an entry');
        this.startValue('entry', i);
        return i;
      case 'arr-comma-or-end':
        if (c === Tok.Comma) {
          this.where = 'arr-value';
          return i + 1;
        }
        if (c === Tok.CloseBracket) return this.closeEntries(i);
        return this.unexpected(c, i, '"," or "]"');
      case 'after-root':
        this.issues.push({
          entry: null,
          field: null,
          message: `unexpected text after the end of the HAR at character ${this.offset + i}: ignored`,
          level: 'error',
        });
        this.where = 'dead';
        return i + 1;
      default:
        return i + 1;
    }
  }

  private objectValue(c: number, i: number): number {
    const level = this.frame!.level;
    const key = this.key;
    if (level === 0 && key === 'log') {
      this.sawLog = true;
      if (c === Tok.OpenBrace) {
        this.frames.push({ level: 1 });
        this.where = 'obj-key-or-end';
        return i + 1;
      }
      // A character JSON does not allow there (an invisible one, say) is not JSON rather than not HAR.
      if (c !== Tok.OpenBracket && c !== Tok.Quote && !/[-0-9tfn]/.test(String.fromCharCode(c)))
        return this.unexpected(c, i, 'a JSON value');
      this.fatal('not a HAR file: "log" is not an object');
      return i + 1;
    }
    if (level === 1 && key === 'entries') {
      this.sawEntries = true;
      if (c === Tok.OpenBracket) {
        this.frames.push({ level: 2 });
        this.where = 'arr-value-or-end';
        return i + 1;
      }
      this.fatal('not a HAR file: "log.entries" is not an array');
      return i + 1;
    }
    const meta =
      level === 1 &&
      (key === 'version' || key === 'creator' || key === 'browser' || key === 'pages' || key === 'comment');
    this.startValue(meta ? 'meta' : 'skip', i);
    return i;
  }

  private closeObject(i: number): number {
    const f = this.frames.pop()!;
    if (f.level === 1 && !this.sawEntries) {
      this.notHar();
      return i + 1;
    }
    this.where = this.frames.length ? 'obj-comma-or-end' : 'after-root';
    if (!this.frames.length && !this.sawLog) this.notHar();
    return i + 1;
  }

  private closeEntries(i: number): number {
    this.frames.pop();
    this.where = 'obj-comma-or-end';
    return i + 1;
  }

  private startValue(kind: 'key' | 'entry' | 'meta' | 'skip', i: number): void {
    this.scanning = kind;
    this.v.reset(kind !== 'skip');
    if (this.v.keep) this.v.seg = i;
  }

  /** A value scanned whole: hand it on and move the outer walker along. */
  private valueDone(i: number): void {
    const kind = this.scanning;
    const v = this.v;
    this.scanning = 'none';
    if (v.error) {
      this.fatal(
        `not JSON: ${v.error} at character ${this.offset + i}`,
        kind === 'entry' ? this.entriesSeen : null,
      );
      return;
    }
    if (v.badValue && kind !== 'entry') {
      const message = `not JSON: ${v.badValue} before character ${this.offset + i}`;
      if (this.rootScalar) this.notJsonAtStart(message, i);
      else this.fatal(message);
      return;
    }
    if (v.keep && v.seg >= 0 && v.seg < i) {
      v.parts.push(this.chunk.slice(v.seg, i));
      v.size += i - v.seg;
      if (v.size > this.maxEntry) v.tooBig = true;
    }
    v.seg = -1;
    if (kind === 'key') {
      let key: string;
      try {
        key = JSON.parse(v.text()) as string;
      } catch {
        this.fatal(`not JSON: a bad key at character ${this.offset + i}`);
        return;
      }
      this.key = key;
      if (this.frame!.level === 0) this.rootKeys.push(key.length > 40 ? `${key.slice(0, 40)}…` : key);
      this.where = 'obj-colon';
      return;
    }
    if (kind === 'entry') {
      const index = this.entriesSeen++;
      this.where = 'arr-comma-or-end';
      for (const [key, length] of v.cuts) {
        this.issues.push({
          entry: index,
          field: key || null,
          message: `a string of ${length} characters${key ? ` in "${key}"` : ''} is longer than ${this.maxString}: cut to keep memory bounded`,
          level: 'note',
        });
      }
      if (v.badValue) {
        this.issues.push({
          entry: index,
          field: null,
          message: `not valid JSON: ${v.badValue}: skipped`,
          level: 'error',
        });
        return;
      }
      if (v.tooBig) {
        this.issues.push({
          entry: index,
          field: null,
          message: `larger than ${this.maxEntry} characters: skipped`,
          level: 'error',
        });
        return;
      }
      try {
        this.out.push({ index, value: JSON.parse(v.text()) });
      } catch (e) {
        this.issues.push({
          entry: index,
          field: null,
          message: `not valid JSON (${parseMessage(e)}): skipped`,
          level: 'error',
        });
      }
      return;
    }
    if (this.rootScalar) {
      this.fatal('not a HAR file: the top level is not an object with "log"');
      return;
    }
    this.where = 'obj-comma-or-end';
    if (kind === 'meta' && !v.tooBig) {
      try {
        this.meta[this.key as keyof HarMeta] = JSON.parse(v.text());
      } catch {
        this.fatal(`not JSON: a bad value for log.${this.key} before character ${this.offset + i}`);
      }
    }
  }

  /** Copies the current chunk's kept text at the chunk's end, keeping a cut-able string's start apart. */
  private flushChunkEnd(): void {
    const v = this.v;
    const n = this.chunk.length;
    if (v.inString && v.strIsKey && v.strStart >= 0) v.keyText = this.chunk.slice(v.strStart + 1);
    else if (v.inString && v.strIsKey && v.keyText.length < 128) v.keyText += this.chunk;
    if (v.keep && v.seg >= 0) {
      if (v.inString && !v.strCut && v.strStart >= 0) {
        if (v.strStart > v.seg) v.parts.push(this.chunk.slice(v.seg, v.strStart));
        v.strStartPart = v.parts.length;
        v.parts.push(this.chunk.slice(v.strStart));
      } else if (n > v.seg) {
        v.parts.push(this.chunk.slice(v.seg));
      }
      v.size += n - v.seg;
      if (v.size > this.maxEntry) {
        v.tooBig = true;
        v.keep = false;
        v.parts = [];
      }
    }
    if (v.inString) v.strStart = -1;
    // The next chunk's text is kept from its start, unless it is the rest of a string being cut.
    v.seg = v.keep && !(v.inString && v.strCut) ? 0 : -1;
  }

  private finishPrimitive(): void {
    const v = this.v;
    v.inPrimitive = false;
    if (!PRIMITIVE.test(v.primitive)) v.badValue ??= `a bad value ${visibleText(v.primitive.slice(0, 20))}`;
    if (v.stack.length === 0) v.done = true;
  }

  /** Scans from i; returns where it stopped (the end of the chunk, or just past the value). */
  private scanValue(i: number): number {
    const s = this.chunk;
    const n = s.length;
    const v = this.v;
    while (i < n) {
      if (v.inString) {
        i = this.scanString(i);
        if (v.inString) return i;
        if (v.stack.length === 0) {
          v.done = true;
          return i;
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (v.inPrimitive) {
        if (
          c === Tok.Comma ||
          c === Tok.CloseBrace ||
          c === Tok.CloseBracket ||
          c === Tok.Colon ||
          isSpace(c)
        ) {
          this.finishPrimitive();
          if (v.done) return i;
          continue;
        }
        if (v.primitive.length < 400) v.primitive += s[i];
        i++;
        continue;
      }
      switch (c) {
        case Tok.Quote:
          v.inString = true;
          v.escape = false;
          v.strLen = 0;
          v.strCut = false;
          v.strIsKey = v.expectKey;
          v.strStart = i;
          v.keyText = '';
          i++;
          break;
        case Tok.OpenBrace:
          v.stack.push(1);
          v.expectKey = true;
          i++;
          break;
        case Tok.OpenBracket:
          v.stack.push(0);
          v.expectKey = false;
          i++;
          break;
        case Tok.CloseBrace:
        case Tok.CloseBracket: {
          const top = v.stack.pop();
          if (top === undefined || top !== (c === Tok.CloseBrace ? 1 : 0)) {
            v.error = `unexpected ${characterName(c)}`;
            v.done = true;
            return i;
          }
          v.expectKey = false;
          i++;
          if (v.stack.length === 0) {
            v.done = true;
            return i;
          }
          break;
        }
        case Tok.Comma:
          v.expectKey = v.stack[v.stack.length - 1] === 1;
          i++;
          break;
        case Tok.Colon:
          v.expectKey = false;
          i++;
          break;
        default:
          if (isSpace(c)) {
            i++;
            break;
          }
          v.inPrimitive = true;
          v.primitive = s[i]!;
          i++;
      }
    }
    return i;
  }

  /** Inside a string: jumps to its closing quote, cutting it if it grows too long. */
  private scanString(i: number): number {
    const s = this.chunk;
    const n = s.length;
    const v = this.v;
    const from = i;
    while (i < n) {
      if (v.escape) {
        v.escape = false;
        i++;
        continue;
      }
      if (this.quoteAt < i) {
        const q = s.indexOf('"', i);
        this.quoteAt = q === -1 ? n : q;
      }
      if (this.slashAt < i) {
        const b = s.indexOf('\\', i);
        this.slashAt = b === -1 ? n : b;
      }
      if (this.slashAt < this.quoteAt) {
        i = this.slashAt + 1;
        v.escape = true;
        continue;
      }
      if (this.quoteAt === n) {
        i = n;
        break;
      }
      // The closing quote.
      v.strLen += this.quoteAt - from;
      i = this.quoteAt + 1;
      v.inString = false;
      this.stringEnd(i);
      return i;
    }
    v.strLen += n - from;
    this.checkLength();
    return n;
  }

  private limitFor(): number {
    return this.v.lastKey === 'text' ? BODY_KEEP : this.maxString;
  }

  /** A kept string grew past its limit: drop what was kept of it; the rest is skipped as it streams. */
  private checkLength(): void {
    const v = this.v;
    if (!v.keep || v.strIsKey || v.strCut || v.strLen <= this.limitFor()) return;
    if (v.strStart >= 0) {
      if (v.strStart > v.seg) v.parts.push(this.chunk.slice(v.seg, v.strStart));
    } else {
      v.parts.length = v.strStartPart;
    }
    v.strCut = true;
    v.seg = -1;
  }

  private stringEnd(i: number): void {
    const v = this.v;
    if (v.strIsKey) {
      const start = v.strStart >= 0 ? v.strStart + 1 : 0;
      const key = v.keyText + this.chunk.slice(start, i - 1);
      v.lastKey = key.length > 64 ? '' : key;
      v.keyText = '';
      return;
    }
    this.checkLength();
    if (v.strCut) {
      const length = v.strLen;
      if (v.lastKey !== 'text') v.cuts.push([v.lastKey, length]);
      v.parts.push(JSON.stringify(`[cut by CORScope: ${length} characters]`));
      v.seg = i;
    }
  }
}

/**
 * The encoding of bytes that open with a byte order mark, as the Encoding Standard's BOM sniff reads it
 * (https://encoding.spec.whatwg.org/#bom-sniff): UTF-16 when its mark is there, else UTF-8 (whose own mark
 * the decoder skips). A HAR is UTF-8; a tool that saved one again (Windows PowerShell, an editor) may have
 * written UTF-16.
 */
function bomSniff(bytes: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return 'utf-8';
}

/**
 * Reads chunks (text, or bytes: UTF-8, or UTF-16 with its byte order mark) and yields each entry of log.entries
 * as it completes.
 */
export async function* scanHarEntries(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  scanner: HarScanner = new HarScanner(),
): AsyncGenerator<ScannedEntry> {
  let decoder: TextDecoder | null = null;
  /** The first bytes, kept until there are two to sniff a byte order mark from. */
  let head: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else if (decoder) text = decoder.decode(chunk, { stream: true });
    else {
      let bytes = chunk;
      if (head.length) {
        bytes = new Uint8Array(head.length + chunk.length);
        bytes.set(head);
        bytes.set(chunk, head.length);
      }
      if (bytes.length < 2) {
        head = bytes;
        continue;
      }
      decoder = new TextDecoder(bomSniff(bytes));
      text = decoder.decode(bytes, { stream: true });
    }
    for (const e of scanner.push(text)) yield e;
    if (scanner.dead) return;
  }
  // A file of fewer than two bytes never chose a decoder.
  const rest = decoder ? decoder.decode() : new TextDecoder('utf-8').decode(head);
  if (rest) for (const e of scanner.push(rest)) yield e;
  for (const e of scanner.end()) yield e;
}
