import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { EventStream, IEventsConnection } from '../api/events';
import { Features, IJwstLabClient, IJwstLabEvents, PluginIds } from '../tokens';

/**
 * Provides the page's one events websocket; it connects once the server
 * says it has the events route, and lives as long as the page.
 */
export const eventsPlugin: JupyterFrontEndPlugin<IEventsConnection> = {
  id: PluginIds.events,
  description:
    'Provides the jwst-lab server events stream shared by the panels.',
  autoStart: true,
  requires: [IJwstLabClient],
  provides: IJwstLabEvents,
  activate: (
    _app: JupyterFrontEnd,
    client: IJwstLabClient
  ): IEventsConnection => {
    const events = new EventStream({ serverSettings: client.serverSettings });
    client.getInfo().then(
      info => {
        if (info.features.includes(Features.events)) {
          events.connect();
        }
      },
      // The client plugin already told the user that the server cannot be asked.
      () => undefined
    );
    return events;
  }
};
