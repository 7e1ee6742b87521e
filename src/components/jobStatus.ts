import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { JobStatus } from '../api/models';
import type { StatusTone } from './StatusBadge';

/** The colour of a job status. */
export function jobStatusTone(status: JobStatus): StatusTone {
  switch (status) {
    case 'succeeded':
      return 'ok';
    case 'failed':
      return 'error';
    case 'cancelled':
    case 'interrupted':
      return 'warn';
    default:
      return 'pending';
  }
}

/** A job status as the user reads it. */
export function jobStatusLabel(
  status: JobStatus,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Running');
    case 'succeeded':
      return trans.__('Succeeded');
    case 'failed':
      return trans.__('Failed');
    case 'cancelled':
      return trans.__('Cancelled');
    case 'interrupted':
      return trans.__('Interrupted');
    default:
      return status;
  }
}

/** The current time, refreshed every `interval` ms (never when 0). */
export function useNow(interval: number): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (interval <= 0) {
      return;
    }
    const tick = () => setNow(Date.now());
    // Now at once (the time kept since the last render may be old), then every `interval`.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, interval);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [interval]);
  return now;
}
