import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
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
