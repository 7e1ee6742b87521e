import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { PreviewStretch } from '../models/previewModel';

/** Every stretch the server draws with. */
export const ALL_STRETCHES: readonly PreviewStretch[] = [
  'asinh',
  'zscale',
  'linear'
];

/** Props of {@link StretchSelect}. */
export interface IStretchSelectProps {
  /** The select's id (its label points at it). */
  id: string;
  value: PreviewStretch;
  onChange: (stretch: PreviewStretch) => void;
  trans: TranslationBundle;
  /** The stretches offered (all of them unless told). */
  stretches?: readonly PreviewStretch[];
}

/** A "Stretch" label and its select, for a quick-look toolbar. */
export function StretchSelect(props: IStretchSelectProps): JSX.Element {
  const stretches = props.stretches ?? ALL_STRETCHES;
  return (
    <>
      <label htmlFor={props.id}>{props.trans.__('Stretch')}</label>
      <select
        id={props.id}
        className="jp-mod-styled"
        value={props.value}
        onChange={event =>
          props.onChange(
            stretches.find(stretch => stretch === event.target.value) ?? 'asinh'
          )
        }
      >
        {stretches.map(stretch => (
          <option key={stretch} value={stretch}>
            {stretch}
          </option>
        ))}
      </select>
    </>
  );
}
