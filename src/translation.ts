import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';

import { TRANSLATION_DOMAIN } from './tokens';

/** The front end's strings in the language of `translator`; in English without one. */
export function loadTrans(translator?: ITranslator | null): TranslationBundle {
  return (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
}

/**
 * A message about a count ("1 file", "2 files"): `singular` or `plural` as the
 * language's plural rules choose for `count` (the translator's `_n`). `%1` is
 * the count, `%2`… are `args`.
 */
export function plural(
  trans: TranslationBundle,
  count: number,
  singular: string,
  pluralForm: string,
  ...args: unknown[]
): string {
  return trans._n(singular, pluralForm, count, ...args);
}
