import type { TranslationBundle } from '@jupyterlab/translation';

import type { IJobRecord } from '../../api/models';
import { jobTitle } from '../../models/jobRecord';

/** A job's title in the user's language (the Jobs list and the tab use this one). */
export function jobTitleText(
  job: IJobRecord,
  trans: TranslationBundle
): string {
  return jobTitle(job, {
    download: trans.__('download'),
    crdsFetch: trans.__('CRDS fetch'),
    job: trans.__('job')
  });
}

/** What a job's title leaves out: the pipeline's full name and its input or folder. */
export function jobCaption(job: IJobRecord, trans: TranslationBundle): string {
  const what =
    job.pipeline ??
    (job.kind === 'download'
      ? trans.__('Download')
      : job.kind === 'crds_fetch'
        ? trans.__('Fetch CRDS references')
        : trans.__('Job'));
  return trans.__(
    '%1 on %2 (job %3): %4',
    what,
    job.input || job.output_dir || '—',
    job.id,
    job.status
  );
}
