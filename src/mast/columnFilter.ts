/**
 * Per-column filters of the results grid: what a user types above a column
 * and which rows it keeps.
 */
import type { MastRow, MastValue } from '../api/models';

/** Filters by column name (empty text: no filter). */
export type ColumnFilters = Readonly<Record<string, string>>;

const COMPARISON =
  /^(<=|>=|<|>|=)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;
const RANGE =
  /^([+-]?(?:\d+\.?\d*|\.\d+))\s*\.\.\s*([+-]?(?:\d+\.?\d*|\.\d+))$/;

/**
 * Whether a cell passes a filter. Numbers take `>5`, `<=2`, `=3` or `1..4`
 * (inclusive) on the value; everything else keeps cells whose shown text
 * contains every word of the filter (case-insensitive); `!word` excludes.
 */
export function matchesFilter(
  value: MastValue | undefined,
  shown: string,
  filter: string
): boolean {
  const text = filter.trim();
  if (!text) {
    return true;
  }
  const number = typeof value === 'number' ? value : null;
  const comparison = COMPARISON.exec(text);
  if (comparison && number !== null) {
    const bound = Number(comparison[2]);
    switch (comparison[1]) {
      case '<':
        return number < bound;
      case '<=':
        return number <= bound;
      case '>':
        return number > bound;
      case '>=':
        return number >= bound;
      default:
        return number === bound;
    }
  }
  const range = RANGE.exec(text);
  if (range && number !== null) {
    const low = Math.min(Number(range[1]), Number(range[2]));
    const high = Math.max(Number(range[1]), Number(range[2]));
    return number >= low && number <= high;
  }
  const haystack = shown.toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every(word =>
      word.startsWith('!') && word.length > 1
        ? !haystack.includes(word.slice(1))
        : haystack.includes(word)
    );
}

/** The rows that pass every column's filter; `format` gives a cell's shown text. */
export function filterByColumns(
  rows: readonly MastRow[],
  filters: ColumnFilters,
  format: (column: string, value: MastValue | undefined) => string
): readonly MastRow[] {
  const active = Object.entries(filters).filter(([, text]) => text.trim());
  if (active.length === 0) {
    return rows;
  }
  return rows.filter(row =>
    active.every(([column, text]) =>
      matchesFilter(row[column], format(column, row[column]), text)
    )
  );
}
