import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { RetryButton } from '../../components/RetryButton';
import type { ILoadable } from '../../models/loadable';

/** A CRDS view's request still under way (a loading line) or failed (its error with Retry). */
export function LoadState({
  state,
  retry,
  loading,
  trans
}: {
  state: ILoadable<unknown>;
  retry: () => void;
  /** What is being loaded, e.g. "Loading jwst_0541.pmap…". */
  loading: string;
  trans: TranslationBundle;
}): JSX.Element | null {
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
        <RetryButton onClick={retry} trans={trans} />
      </div>
    );
  }
  return null;
}
