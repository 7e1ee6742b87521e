import type { TranslationBundle } from '@jupyterlab/translation';
import { lineFormIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { baseName } from '../../components/format';
import type { Model } from '../../models/model';
import {
  CubeModel,
  SpectralImageModel,
  SpectralKind,
  spectralKind,
  SpectrumFileModel
} from '../../models/spectraModels';
import type { IJwstLabClient } from '../../tokens';
import { ModelTab } from '../modelTab';
import { CubeView, S2dView, X1dView } from './views';

export { spectralKind } from '../../models/spectraModels';

/**
 * A main-area tab with a spectral product: an x1d as a plot, an s2d as an
 * image with a wavelength axis, an s3d as a plane with a wavelength slider.
 * Closing the tab frees its images.
 */
export class SpectraWidget extends ModelTab<Model> {
  /** Create the tab for `options.path`, of `options.kind` (else by its name). */
  constructor(options: SpectraWidget.IOptions) {
    const { client, path, trans } = options;
    const kind: SpectralKind = options.kind ?? spectralKind(path) ?? 'x1d';
    let model: Model;
    let element: React.ReactElement;
    if (kind === 's2d') {
      const s2d = new SpectralImageModel({ client, path });
      model = s2d;
      element = <S2dView model={s2d} trans={trans} />;
    } else if (kind === 's3d') {
      const cube = new CubeModel({ client, path });
      model = cube;
      element = <CubeView model={cube} trans={trans} />;
    } else {
      const x1d = new SpectrumFileModel({ client, path });
      model = x1d;
      element = <X1dView model={x1d} trans={trans} />;
    }
    super({
      model,
      element,
      contentClass: 'jp-JwstLab-spectraContent',
      label:
        kind === 's3d'
          ? trans.__('Cube: %1', baseName(path))
          : kind === 's2d'
            ? trans.__('2-D spectrum: %1', baseName(path))
            : trans.__('Spectrum: %1', baseName(path)),
      icon: lineFormIcon
    });
    this.kind = kind;
    this.path = path;
    this.title.caption = path;
    this.addClass('jp-JwstLab-spectraTab');
  }

  readonly kind: SpectralKind;
  readonly path: string;
}

/** The namespace for `SpectraWidget` statics. */
export namespace SpectraWidget {
  /** Options to create a spectra tab. */
  export interface IOptions {
    client: IJwstLabClient;
    path: string;
    trans: TranslationBundle;
    kind?: SpectralKind;
  }
}
