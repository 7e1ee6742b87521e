import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { EventStream } from '../api/events';
import { jobsIcon } from '../icons';
import {
  CommandIds,
  Features,
  IJwstLabClient,
  PluginIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { isJobStatusFilter, JobsPanel } from '../widgets/jobs';
import { addSidebarPanel } from './sidebar';

/** State database key of the Jobs panel's status filter. */
const STATUS_FILTER_KEY = `${PluginIds.jobs}:status-filter`;

/**
 * The Jobs panel in the left sidebar, the command that opens it, and the
 * subscription to the server's events stream.
 */
export const jobsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.jobs,
  description:
    'Adds the pipeline jobs panel to the left sidebar and follows the server events stream.',
  autoStart: true,
  requires: [IJwstLabClient],
  optional: [ICommandPalette, ILayoutRestorer, IStateDB, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const events = new EventStream({ serverSettings: client.serverSettings });
    const panel = new JobsPanel({
      client,
      events,
      translator: translator ?? undefined
    });
    panel.disposed.connect(() => events.dispose());
    addSidebarPanel(app, panel, {
      rank: 720,
      command: CommandIds.openJobs,
      label: trans.__('Open Pipeline Jobs'),
      icon: jobsIcon,
      palette,
      restorer
    });

    if (state) {
      panel.statusFilterChanged.connect((_, value) => {
        state
          .save(STATUS_FILTER_KEY, value)
          .catch(reason =>
            console.warn('jwst-lab: cannot save the jobs filter', reason)
          );
      });
      state
        .fetch(STATUS_FILTER_KEY)
        .then(value => {
          if (isJobStatusFilter(value)) {
            panel.statusFilter = value;
          }
        })
        .catch(reason =>
          console.warn('jwst-lab: cannot restore the jobs filter', reason)
        );
    }

    client.getInfo().then(
      info => {
        if (info.features.includes(Features.events)) {
          events.connect();
        }
      },
      // The client plugin already told the user that the server cannot be asked.
      () => undefined
    );
  }
};
