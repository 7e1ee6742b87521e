/**
 * Which "Reduce to Level N…" commands a file-browser selection offers: a
 * folder, uncal exposures, rate / rateints, cal / calints, associations or
 * pool CSVs, alone or together; a level is offered only when every selected
 * item can be reduced to it.
 */
import { associationLevel } from '../run/validation';

/** An item of the file browser: its path and whether it is a folder. */
export interface ISelectedItem {
  path: string;
  isDirectory: boolean;
}

/** The levels one item can be reduced to, or none when it is not a run input. */
export function levelsOf(item: ISelectedItem): (1 | 2 | 3)[] {
  if (item.isDirectory) {
    return [1, 2, 3];
  }
  const name = item.path.split('/').pop() ?? item.path;
  if (/_uncal\.fits$/i.test(name)) {
    return [1, 2, 3];
  }
  if (/_rate(ints)?\.fits$/i.test(name)) {
    return [2, 3];
  }
  if (/_cal(ints)?\.fits$/i.test(name)) {
    return [3];
  }
  if (/_asn\.json$/i.test(name)) {
    // A Level 3 association's members are Level 2 products: only Level 3.
    return associationLevel(name) === 3 ? [3] : [2, 3];
  }
  if (/_pool\.csv$/i.test(name)) {
    return [2, 3];
  }
  return [];
}

/** The run inputs of a selection, or none when one item is not a run input. */
export function runInputs(items: readonly ISelectedItem[]): string[] {
  if (items.length === 0 || items.some(item => levelsOf(item).length === 0)) {
    return [];
  }
  return items.map(item => item.path);
}

/** Whether the selection can be reduced to `level` (every item can). */
export function canReduceTo(
  items: readonly ISelectedItem[],
  level: 1 | 2 | 3
): boolean {
  return (
    items.length > 0 && items.every(item => levelsOf(item).includes(level))
  );
}
