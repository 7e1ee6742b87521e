import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { PluginIds } from '../tokens';
import type { MastPanel } from '../widgets/mast/panel';
import { IMastSavedSearch, isSavedSearch } from './searchModel';

/** State database key of the last MAST search (form, page, sort, columns; never the token). */
export const LAST_SEARCH_KEY = `${PluginIds.mast}:last-search`;

/**
 * Restore the panel's last search from the state database (running it again
 * when the server provides MAST search), then save every new search there.
 *
 * Only `IMastSavedSearch` fields are written: the MAST token never reaches
 * the state database (no model holds it).
 */
export async function trackLastSearch(
  panel: MastPanel,
  state: IStateDB
): Promise<void> {
  let restoring = true;
  panel.search.saved.connect((_, saved) => {
    if (restoring) {
      return;
    }
    state
      .save(LAST_SEARCH_KEY, toJson(saved))
      .catch(reason =>
        console.warn('jwst-lab: cannot save the last MAST search', reason)
      );
  });
  try {
    const value = await state.fetch(LAST_SEARCH_KEY);
    if (isSavedSearch(value)) {
      await panel.restore(value);
    }
  } catch (reason) {
    console.warn('jwst-lab: cannot restore the last MAST search', reason);
  } finally {
    restoring = false;
  }
}

/** State database key of the MAST basket (products' dataURIs, names, sizes; never the token). */
export const BASKET_KEY = `${PluginIds.mast}:basket`;

/**
 * Restore the basket from the state database, then save it after each change.
 */
export async function trackBasket(
  panel: MastPanel,
  state: IStateDB
): Promise<void> {
  try {
    const value = await state.fetch(BASKET_KEY);
    if (Array.isArray(value)) {
      panel.basket.restore(value);
    }
  } catch (reason) {
    console.warn('jwst-lab: cannot restore the MAST basket', reason);
  }
  panel.basket.saved.connect((_, items) => {
    state
      .save(
        BASKET_KEY,
        items.map(item => ({ ...item }))
      )
      .catch(reason =>
        console.warn('jwst-lab: cannot save the MAST basket', reason)
      );
  });
}

/** A saved search as the JSON the state database stores, field by field. */
function toJson(saved: IMastSavedSearch): ReadonlyPartialJSONObject {
  return {
    form: { ...saved.form },
    page: saved.page,
    page_size: saved.page_size,
    sort: saved.sort ? { ...saved.sort } : null,
    columns: [...saved.columns],
    filters: { ...(saved.filters ?? {}) }
  };
}
