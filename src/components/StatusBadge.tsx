import * as React from 'react';

/** The colour of a status: green, amber, red, or grey while unknown. */
export type StatusTone = 'ok' | 'warn' | 'error' | 'pending';

/** Props of {@link StatusBadge}. */
export interface IStatusBadgeProps {
  tone: StatusTone;
  /** Extra class names for the badge element. */
  className?: string;
  /** Longer explanation shown on hover. */
  title?: string;
  children?: React.ReactNode;
}

/** A coloured dot followed by its label; the colour is also in `data-tone`. */
export function StatusBadge({
  tone,
  className,
  title,
  children
}: IStatusBadgeProps): JSX.Element {
  const classes = ['jp-JwstLab-statusBadge', className]
    .filter(Boolean)
    .join(' ');
  return (
    <span className={classes} data-tone={tone} title={title}>
      <span className="jp-JwstLab-statusDot" aria-hidden="true" />
      <span className="jp-JwstLab-statusLabel">{children}</span>
    </span>
  );
}
