export { renderSummary, wantsColor } from './summary.ts';
export type { SummaryOptions } from './summary.ts';
export { renderJson } from './json.ts';
export { renderCsv, guardFormula } from './csv.ts';
export { writeOutput, checkWritable, OutputPathError, STDOUT_TARGET, tempPathFor, removePendingTempFiles } from './write.ts';
