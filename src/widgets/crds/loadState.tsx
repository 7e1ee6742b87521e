import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { RetryButton } from '../../components/RetryButton';
import type { ILoadable } from '../../models/loadable';

/**
 * A CRDS view's request still under way (a loading line) or failed (its
 * error with Retry, which asks the model again).
 */
export function LoadState({
  model,
  loading,
  trans
}: {
  /** What loads: its request's state, and how to ask again. */
  model: { readonly state: ILoadable<unknown>; reload(): Promise<void> };
  /** What is being loaded, e.g. "Loading jwst_0541.pmap…". */
  loading: string;
  trans: TranslationBundle;
}): JSX.Element | null {
  const state = model.state;
  if (state.status === 'loading' || state.status === 'idle') {
    return (
      <div className="jp-JwstLab-crdsLoading" role="status">
        <progress aria-label={loading} />
        <span>{loading}</span>
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="jp-JwstLab-crdsError" role="alert">
        <span>{state.error?.message}</span>
        <RetryButton onClick={() => void model.reload()} trans={trans} />
      </div>
    );
  }
  return null;
}
