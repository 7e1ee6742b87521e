import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { crdsPlugin } from './plugins/crds';
import { jobsPlugin } from './plugins/jobs';
import { mastPlugin } from './plugins/mast';

export { JwstLabApiError, JwstLabClient } from './api/client';
export type * from './api/types';
export * from './tokens';

/** The jwst-lab plugins: the REST client first, then the three sidebar panels. */
const plugins: JupyterFrontEndPlugin<unknown>[] = [
  clientPlugin,
  mastPlugin,
  crdsPlugin,
  jobsPlugin
];

export default plugins;
