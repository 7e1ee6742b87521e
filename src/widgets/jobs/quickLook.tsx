import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { baseName } from '../../components/format';
import { StretchSelect } from '../../components/StretchSelect';
import { PreviewModel, PreviewStretch } from '../../models/previewModel';
import { useModel } from '../../models/useModel';

/** The stretches of a job output's inline quick look. */
const JOB_STRETCHES: readonly PreviewStretch[] = ['asinh', 'zscale'];

/** Props of {@link QuickLook}. */
export interface IQuickLookProps {
  model: PreviewModel;
  trans: TranslationBundle;
}

/**
 * A PNG quick look of a 2-D image, with its stretch (inline in a job's tab;
 * the main-area quick look that pans and zooms is `widgets/quicklook`).
 */
export function QuickLook({
  model: previewModel,
  trans
}: IQuickLookProps): JSX.Element {
  const model = useModel(previewModel);
  const { path, stretch, state } = model;
  const id = `jp-JwstLab-stretch-${path.replace(/[^\w-]/g, '-')}`;
  return (
    <figure className="jp-JwstLab-quickLook" data-path={path}>
      <div className="jp-JwstLab-quickLookToolbar">
        <StretchSelect
          id={id}
          value={stretch}
          onChange={next => model.setStretch(next)}
          trans={trans}
          stretches={JOB_STRETCHES}
        />
      </div>
      {(state.status === 'loading' || state.status === 'idle') && (
        <p role="status" aria-busy="true">
          {trans.__('Rendering the quick look…')}
        </p>
      )}
      {state.status === 'error' && (
        <p className="jp-JwstLab-fieldError" role="alert">
          {trans.__('No quick look: %1', state.error?.message ?? '')}
        </p>
      )}
      {state.status === 'ready' && state.value && (
        <img
          className="jp-JwstLab-quickLookImage"
          src={state.value}
          alt={trans.__(
            'Quick look of %1 (%2 stretch)',
            baseName(path),
            stretch
          )}
        />
      )}
      <figcaption>{baseName(path)}</figcaption>
    </figure>
  );
}
