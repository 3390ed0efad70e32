/**
 * Strings from a scenario file (scenario, variant, zone, region names, descriptions) are untrusted: they
 * end up in terminals, HTML, Markdown and spreadsheets read by people deciding budgets. Each format escapes
 * its own syntax (html-page.ts, markdown.ts, csv.ts); this module handles what no syntax escape covers:
 * characters that change how the text around them looks without being seen themselves.
 *
 * - Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) reorder the text after them,
 *   so `\u202Egnp.exe` reads as "exe.png" (the "Trojan Source" trick).
 * - C0/C1 control characters: in a terminal ESC starts a sequence that can clear the screen, set the
 *   window title or print a hyperlink; NUL, BEL and the rest have no business in a name either.
 *
 * Both are shown as a visible `<U+202E>` token in every human format. The JSON keeps the exact strings
 * (it is data, and must round-trip), CSV too apart from the formula guard. Strings without such characters
 * are returned unchanged, so ordinary reports are byte-for-byte what they were.
 */

// Tab, LF and CR are whitespace to HTML; single-line formats handle them with `singleLine`.
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\t\n\r\u2028\u2029]/g;

function token(c: string): string {
  return `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** Control and bidi characters as visible `<U+XXXX>` tokens; everything else unchanged. */
export function revealHidden(s: string): string {
  return s.replace(HIDDEN, token);
}

/** For one-line contexts (a terminal table, a Markdown cell): hidden characters revealed, line breaks and tabs as spaces. */
export function singleLine(s: string): string {
  return revealHidden(s.replace(LINE_BREAKS, ' '));
}

/**
 * A deep copy of a result with `show` applied to every string and every object key (zone and source names
 * are keys), for rendering; numbers, booleans and null are kept. The original is left as it is.
 */
export function forDisplay<T>(value: T, show: (s: string) => string = revealHidden): T {
  return copy(value, show) as T;
}

function copy(v: unknown, show: (s: string) => string): unknown {
  if (typeof v === 'string') return show(v);
  if (Array.isArray(v)) return v.map((x) => copy(x, show));
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    // defineProperty: a zone named "__proto__" must stay a key, not replace the copy's prototype.
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, show(k), { value: copy(x, show), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}
