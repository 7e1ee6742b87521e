import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** Props of {@link RetryButton}. */
export interface IRetryButtonProps {
  /** Send the request again. */
  onClick: () => void;
  trans: TranslationBundle;
  /** The button's text (default "Retry"). */
  label?: string;
  disabled?: boolean;
}

/** The button that sends a failed (or doubtful) request again. */
export function RetryButton({
  onClick,
  trans,
  label,
  disabled
}: IRetryButtonProps): JSX.Element {
  return (
    <button
      type="button"
      className="jp-JwstLab-retry jp-mod-styled"
      onClick={onClick}
      disabled={disabled}
    >
      {label ?? trans.__('Retry')}
    </button>
  );
}
