import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { Evaluator, type HttpResponse } from '../../../src/cors/index';
import { MarkdownReport, reasonWords, toMarkdown } from '../../../src/report/markdown';
import { fakeExchange, PAGE, simpleCall } from '../../factories';
import { sampleRows } from './helpers';

const rows = sampleRows();
const md = toMarkdown(rows);
const count = (kind: string) => rows.filter((r) => r.evaluation.verdict === kind).length;

describe('toMarkdown: the report a person reads', () => {
  it('opens with the counts by verdict', () => {
    expect(md.startsWith('# CORScope report\n\n66 calls: ')).toBe(true);
    expect(md).toContain(`| blocked | ${count('blocked')} |`);
    expect(md).toContain(`| allowed | ${count('allowed')} |`);
    expect(md).toContain(`| network-error | ${count('network-error')} |`);
  });

  it('counts failed calls by reason: the Chromium error in plain words', () => {
    const missing = rows.filter((r) => r.evaluation.error?.chromium === 'MissingAllowOriginHeader').length;
    expect(md).toContain(
      `| blocked | missing Access-Control-Allow-Origin header | \`MissingAllowOriginHeader\` | ${missing} |`,
    );
    expect(md).toContain('| blocked | preflight: invalid status | `PreflightInvalidStatus` | 1 |');
    expect(md).toContain('| network-error | No response arrived | — | 1 |');
    expect(reasonWords('PreflightMissingAllowOriginHeader')).toBe(
      'preflight: missing Access-Control-Allow-Origin header',
    );
    expect(reasonWords('InvalidAllowCredentials')).toBe('invalid Access-Control-Allow-Credentials');
    expect(reasonWords('HeaderDisallowedByPreflightResponse')).toBe(
      'header disallowed by preflight response',
    );
  });

  it('lists each blocked call with its console line in a code block, the fix and the advice', () => {
    const blocked = rows.filter((r) => r.evaluation.verdict === 'blocked');
    expect(md.match(/^### \d+\. /gm)).toHaveLength(blocked.length);
    for (const r of blocked) {
      expect(md).toContain(`${r.exchange.request.method} \`${r.exchange.request.url}\``);
      expect(md).toContain(`\`\`\`text\n${r.evaluation.error!.console}\n\`\`\``);
    }
    const s026 = md.slice(md.indexOf('`http://127.0.0.1:8102/p/s026`'));
    expect(s026).toContain('- On the preflight (OPTIONS) response from `http://127.0.0.1:8102/p/s026`:');
    expect(s026).toContain('  - set `Access-Control-Allow-Origin: http://127.0.0.1:8101`:');
    expect(s026).toContain('Advice:');
    const s028 = md.slice(md.indexOf('`http://127.0.0.1:8102/p/s028`'));
    expect(s028).toContain('  - answer with status `204`: Answer OPTIONS with 204');
    expect(md).toContain('## Network errors');
    expect(md).toContain('## Warnings (risky policies)');
    expect(md).toMatch(/\| `null-origin-allowed` \| 2 \|/);
  });

  it('takes verdicts beside the rows, and calls one at a time', () => {
    const x = simpleCall({ res: { status: 200, headers: [] } });
    const v = new Evaluator().evaluate(x);
    expect(toMarkdown([{ exchange: x }], [v])).toBe(toMarkdown([{ exchange: x, evaluation: v }]));
    const report = new MarkdownReport();
    report.add(x, v);
    expect(report.render('Mine')).toMatch(/^# Mine\n\n1 call: 1 blocked\.\n/);
    expect(toMarkdown([])).toBe(
      '# CORScope report\n\n0 calls.\n\n## Calls by verdict\n\n| Verdict | Calls |\n| --- | ---: |\n',
    );
  });

  it("cannot be broken by what a server sent: Markdown's characters are escaped, fences outlast backticks", () => {
    const x = fakeExchange({
      request: { method: 'GET', url: 'http://127.0.0.1:8102/a`b', headers: [] },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'http://127.0.0.1:8102/a`b', headers: [['Origin', PAGE]] },
          response: { status: 200, headers: [['Access-Control-Allow-Origin', '*_<b>|```']] },
        },
      ],
    });
    const v = new Evaluator().evaluate(x);
    const out = toMarkdown([{ exchange: x, evaluation: v }]);
    expect(out).toContain('### 1. GET `` http://127.0.0.1:8102/a`b ``');
    expect(out).toContain(`\`\`\`\`text\n${v.error!.console}\n\`\`\`\``);
    expect(out).toContain('\\*\\_\\<b\\>\\|');
  });
});

describe('toMarkdown: what a page or a HAR sent stays text (parsed by markdown-it, CommonMark with GFM tables)', () => {
  const evil =
    '\n# Injected heading\n![img](http://evil.test/i.png)\n<img src=x onerror=alert(1)>\n[link](http://evil.test/)\n- item\n---\n| a | b |\n\x1b]8;;http://evil.test\x07';
  const url = `http://127.0.0.1:8102/a\`${evil}`;
  const hostile = (id: string, res: HttpResponse | null, method = `GET${evil}`) =>
    fakeExchange({
      id: `${id}\`${evil}`,
      initiator: `${PAGE}${evil}`,
      request: { method, url, headers: [] },
      wire: [
        {
          type: 'request',
          request: { method, url, headers: [['Origin', PAGE]] },
          response: res,
        },
      ],
    });
  const calls = [
    hostile('a', { status: 200, headers: [['Access-Control-Allow-Origin', `http://evil.test${evil}`]] }),
    hostile('b', { status: 200, headers: [['Access-Control-Allow-Origin', 'null']] }, 'GET'),
    hostile('c', null),
  ];
  const ev = new Evaluator();
  const verdicts = calls.map((x) => ev.evaluate(x));
  const out = toMarkdown(
    calls.map((exchange, i) => ({ exchange, evaluation: verdicts[i]! })),
    undefined,
    `report${evil}`,
  );
  const tokens = new MarkdownIt({ html: true }).parse(out, {});
  const all = tokens.flatMap((t) => [t, ...(t.children ?? [])]);

  it('makes no image, link or HTML', () => {
    expect(all.filter((t) => /image|link_open|html/.test(t.type)).map((t) => t.type)).toEqual([]);
  });

  it('makes only its own headings, tables, lists and code blocks', () => {
    const headings = tokens.flatMap((t, i) =>
      t.type === 'heading_open' ? [`${t.tag} ${tokens[i + 1]!.content}`] : [],
    );
    expect(headings.map((h) => h.slice(0, 20))).toEqual([
      'h1 report \\# Injecte',
      'h2 Calls by verdict',
      'h2 Failed calls by r',
      'h2 Warnings (risky p',
      'h2 Blocked calls',
      'h3 1. GET \\# Injecte',
      'h3 2. GET `` http://',
      'h2 Network errors',
    ]);
    expect(all.filter((t) => t.type === 'hr')).toEqual([]);
    expect(tokens.filter((t) => t.type === 'fence')).toHaveLength(2);
    expect(tokens.filter((t) => t.type === 'table_open')).toHaveLength(3);
    // Every row of a table has its header's cells.
    let cells: number[] = [];
    for (const t of tokens) {
      if (t.type === 'tr_open') cells.push(0);
      if (t.type === 'td_open' || t.type === 'th_open') cells[cells.length - 1]!++;
      if (t.type === 'table_close') {
        expect(new Set(cells).size).toBe(1);
        cells = [];
      }
    }
  });

  it('prints no control character: an OSC hyperlink or an ESC stays visible text', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters.
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(out).toContain('\\x1b]8;;http://evil.test\\x07');
  });
});
