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

/** Props of {@link CopyButton}. */
export interface ICopyButtonProps {
  /** The text to copy, made when the button is pressed. */
  text: () => string;
  /** The button's label (it says "Copied" for two seconds after a copy). */
  label: string;
  title: string;
  className: string;
  copy: (text: string) => void;
  trans: TranslationBundle;
  disabled?: boolean;
}

/** A button that copies text, saying "Copied" for two seconds. */
export function CopyButton({
  text,
  label,
  title,
  className,
  copy,
  trans,
  disabled
}: ICopyButtonProps): JSX.Element {
  // Only the button's own two-second "Copied" feedback: no model needed.
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className={`${className} jp-mod-styled`}
      title={title}
      disabled={disabled}
      onClick={() => {
        copy(text());
        setCopied(true);
      }}
    >
      {copied ? trans.__('Copied') : label}
    </button>
  );
}

/** A "Copy as Python" button that says for a moment that it copied. */
export function CopyPython({
  code,
  copy,
  trans,
  what
}: ICopyPythonProps): JSX.Element | null {
  if (!code) {
    return null;
  }
  return (
    <CopyButton
      className="jp-JwstLab-copyPython"
      label={trans.__('Copy as Python')}
      title={trans.__('Copy the equivalent astroquery code of the %1', what)}
      text={() => code}
      copy={copy}
      trans={trans}
    />
  );
}
