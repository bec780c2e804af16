// The extension's icons: one drawing, assets/icon.svg, rendered to PNG at the sizes the browsers and the stores
// ask for, when the extension is built (wxt.config.ts). resvg compiled to WebAssembly draws them: no native
// code, no network, the same on every machine.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

/** The toolbar's (16, 32), the extensions page's (48) and the stores' and the install dialog's (128). */
export const ICON_SIZES = [16, 32, 48, 128] as const;
export type IconSize = (typeof ICON_SIZES)[number];

/** Where each size is in the extension, as the manifest names it. */
export const ICONS = Object.fromEntries(ICON_SIZES.map((s) => [s, `icons/${s}.png`])) as Record<
  IconSize,
  string
>;

let wasm: Promise<void> | null = null;

/** Renders the drawing at every size into `dir` (`dir`/16.png, ...); `root` is the project's folder. */
export async function renderIcons(root: string, dir: string): Promise<Record<IconSize, string>> {
  wasm ??= initWasm(
    readFileSync(createRequire(join(root, 'package.json')).resolve('@resvg/resvg-wasm/index_bg.wasm')),
  );
  await wasm;
  const svg = readFileSync(join(root, 'assets/icon.svg'), 'utf8');
  mkdirSync(dir, { recursive: true });
  const files = {} as Record<IconSize, string>;
  for (const size of ICON_SIZES) {
    files[size] = join(dir, `${size}.png`);
    writeFileSync(files[size], new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng());
  }
  return files;
}
