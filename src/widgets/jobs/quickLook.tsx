import type { TranslationBundle } from '@jupyterlab/translation';
import { imageIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { baseName } from '../../components/format';
import { PreviewModel } from '../../models/previewModel';
import { useModel } from '../../models/useModel';
import type { IJwstLabClient } from '../../tokens';
import { ModelTab } from '../modelTab';

/** Props of {@link QuickLook}. */
export interface IQuickLookProps {
  model: PreviewModel;
  trans: TranslationBundle;
}

/** A PNG quick look of a 2-D image, with its stretch. */
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
        <label htmlFor={id}>{trans.__('Stretch')}</label>
        <select
          id={id}
          className="jp-mod-styled"
          value={stretch}
          onChange={event =>
            model.setStretch(
              event.target.value === 'zscale' ? 'zscale' : 'asinh'
            )
          }
        >
          <option value="asinh">asinh</option>
          <option value="zscale">zscale</option>
        </select>
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

/** A main-area tab with the quick look of one image; closing it frees the image. */
export class QuickLookWidget extends ModelTab<PreviewModel> {
  /** Create the tab and ask for the image. */
  constructor(options: {
    client: IJwstLabClient;
    path: string;
    trans: TranslationBundle;
  }) {
    const model = new PreviewModel({
      client: options.client,
      path: options.path
    });
    super({
      model,
      element: <QuickLook model={model} trans={options.trans} />,
      contentClass: 'jp-JwstLab-quickLookContent',
      label: options.trans.__('Quick Look: %1', baseName(options.path)),
      icon: imageIcon
    });
  }
}
