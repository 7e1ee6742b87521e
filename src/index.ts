import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { crdsPlugin } from './plugins/crds';
import { eventsPlugin } from './plugins/events';
import { jobsPlugin } from './plugins/jobs';
import { mastPlugin } from './plugins/mast';
import { runsPlugin } from './plugins/runs';

export { JwstLabApiError, JwstLabClient } from './api/client';
export type * from './api/models';
export type { components, operations, paths } from './api/types';
export { CRDS_CONTEXT_PATTERN } from './api/constants';
export * from './tokens';

/** The jwst-lab plugins: the REST client and the events stream, then the three sidebar panels and runs. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [
  clientPlugin,
  eventsPlugin,
  mastPlugin,
  crdsPlugin,
  jobsPlugin,
  runsPlugin
];

export default plugins;
