import * as React from 'react';

import { formatBytes } from './format';

/** Props of {@link MemoryBar}. */
export interface IMemoryBarProps {
  /** The estimate, in bytes; unknown when null. */
  value: number | null | undefined;
  /** The limit it is measured against, in bytes. */
  limit: number;
  /** What the bar is for, for screen readers. */
  label: string;
  /** What an unknown estimate reads. */
  unknown: string;
}

/**
 * A memory estimate against the limit: a bar filled to `value / limit`
 * (full and marked `data-over` when it exceeds the limit) and the figures.
 */
export function MemoryBar({
  value,
  limit,
  label,
  unknown
}: IMemoryBarProps): JSX.Element {
  const known = typeof value === 'number' && limit > 0;
  const fraction = known ? Math.min(1, value / limit) : 0;
  const over = known && value > limit;
  return (
    <span
      className="jp-JwstLab-memoryBar"
      data-over={over}
      title={
        known ? `${formatBytes(value)} / ${formatBytes(limit)}` : undefined
      }
    >
      <span
        className="jp-JwstLab-memoryBarTrack"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={known ? value : undefined}
        aria-valuetext={
          known ? `${formatBytes(value)} of ${formatBytes(limit)}` : unknown
        }
      >
        <span
          className="jp-JwstLab-memoryBarFill"
          style={{ width: `${(fraction * 100).toFixed(1)}%` }}
        />
      </span>
      <span className="jp-JwstLab-memoryBarValue">
        {known ? formatBytes(value) : unknown}
      </span>
    </span>
  );
}
