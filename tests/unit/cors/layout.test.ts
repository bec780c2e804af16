// The evaluator's shape: src/cors imports nothing of ours but itself, its modules import one another without
// a circle, and the fix search knows the fetch steps only through the walk it is handed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../../src/cors/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

/** The modules a file imports at run time (type-only imports left out), as written. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(new URL(file, DIR), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    if (m[1]) continue;
    const names = m[2]!;
    const braces = /^\{([\s\S]*)\}$/.exec(names.trim());
    if (braces && braces[1]!.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type ')))
      continue;
    out.push(m[3]!);
  }
  return out;
}

const graph = new Map(files.map((f) => [f, runtimeImports(f)]));

describe('src/cors', () => {
  it('imports nothing of ours outside itself', () => {
    for (const f of files) {
      const text = readFileSync(new URL(f, DIR), 'utf8');
      const outside = [...text.matchAll(/from\s+'(\.\.\/[^']*)'/g)].map((m) => m[1]);
      expect(outside, f).toEqual([]);
    }
  });

  it('has no circle among its modules', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const circles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (done.has(f)) return;
      if (visiting.has(f)) {
        circles.push([...path.slice(path.indexOf(f)), f].join(' → '));
        return;
      }
      visiting.add(f);
      for (const dep of graph.get(f) ?? [])
        if (dep.startsWith('./')) visit(`${dep.slice(2)}.ts`, [...path, f]);
      visiting.delete(f);
      done.add(f);
    };
    for (const f of files) visit(f, []);
    expect(circles).toEqual([]);
  });

  it('hands the fix search the walk instead of letting it import the fetch steps', () => {
    expect(graph.get('advice.ts')).not.toContain('./evaluate');
    expect(graph.get('advice.ts')).not.toContain('./main-fetch');
  });
});
