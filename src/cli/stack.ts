/**
 * Maps an internal error's stack trace from the compiled bundle (bin/compiled.js) back to the TypeScript
 * sources, using the bundle's source map (`cli.cjs` → `cli.cjs.map`).
 *
 * Performance: Node's own mapping (`process.setSourceMapsEnabled(true)`) parses every loaded module's
 * map at start-up — about 8 % of a start-up's instructions — for a trace that almost never comes. So
 * the maps are read here, only when an internal error is printed. Frames without a map (the tsx path,
 * Node's own code, packages) are left as they are.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A frame's location: a file URL or absolute path to a .js file, then :line:column. */
const LOCATION = /(file:\/\/\/[^\s()]+?\.[cm]?js|\/[^\s()]+?\.[cm]?js):(\d+):(\d+)/g;

export function mapStack(stack: string): string {
  const maps = new Map<string, { map: SourceMap; url: string } | null>();
  return stack.replace(LOCATION, (whole: string, file: string, line: string, column: string) => {
    let m = maps.get(file);
    if (m === undefined) {
      m = load(file);
      maps.set(file, m);
    }
    if (m === null) return whole;
    const entry = m.map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return whole;
    const source = new URL(entry.originalSource, m.url);
    const shown = source.protocol === 'file:' ? fileURLToPath(source) : source.href;
    return `${shown}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function load(file: string): { map: SourceMap; url: string } | null {
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    const mapPath = `${path}.map`;
    return { map: new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))), url: pathToFileURL(mapPath).href };
  } catch {
    return null;
  }
}
