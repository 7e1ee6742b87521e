import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** Props of {@link CopyPython}. */
export interface ICopyPythonProps {
  /** The code to copy; nothing is rendered without it. */
  code: string | null | undefined;
  copy: (text: string) => void;
  trans: TranslationBundle;
  /** What the code does, for the tooltip (e.g. "search"). */
  what: string;
}

/** A "Copy as Python" button that says for a moment that it copied. */
export function CopyPython({
  code,
  copy,
  trans,
  what
}: ICopyPythonProps): JSX.Element | null {
  // Only the button's own two-second "Copied" feedback: no model needed.
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  if (!code) {
    return null;
  }
  return (
    <button
      type="button"
      className="jp-JwstLab-copyPython jp-mod-styled"
      title={trans.__('Copy the equivalent astroquery code of the %1', what)}
      onClick={() => {
        copy(code);
        setCopied(true);
      }}
    >
      {copied ? trans.__('Copied') : trans.__('Copy as Python')}
    </button>
  );
}
