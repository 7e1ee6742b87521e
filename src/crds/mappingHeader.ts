/**
 * What the CRDS views read of a mapping's `header`. The spec gives `header`
 * as a free-form object (crds's own header, as the server parsed it), so its
 * members are checked here before a view shows them.
 */

/** The members of a mapping header the views show. */
export interface IMappingHeader {
  /** The keywords rules match on, one group per selector level. */
  parkeys: string[][];
  /** The selector classes, outermost first (`Match`, `UseAfter`). */
  classes: string[];
  derived_from: string | null;
  description: string | null;
  comment: string | null;
}

/** The members of `header` the views show; absent or malformed ones are empty. */
export function readMappingHeader(
  header: Record<string, unknown> | null | undefined
): IMappingHeader {
  const raw = header ?? {};
  const text = (key: string): string | null =>
    typeof raw[key] === 'string' && raw[key] !== ''
      ? (raw[key] as string)
      : null;
  const strings = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : [];
  return {
    parkeys: Array.isArray(raw.parkeys)
      ? raw.parkeys.map(strings).filter(group => group.length > 0)
      : [],
    classes: strings(raw.classes),
    derived_from: text('derived_from'),
    description: text('description'),
    comment: text('comment')
  };
}
