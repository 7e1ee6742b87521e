import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';

import { JwstLabClient } from '../api/client';
import {
  CommandIds,
  COMMAND_CATEGORY,
  IJwstLabClient,
  PluginIds
} from '../tokens';
import { loadTrans } from '../translation';
import { announceVersionCheck, showServerInfo } from './serverInfo';

/**
 * Provides the jwst-lab REST client, checks at start-up that the server
 * matches this front end, and adds the "About jwst-lab" command.
 */
export const clientPlugin: JupyterFrontEndPlugin<IJwstLabClient> = {
  id: PluginIds.client,
  description:
    'Provides the jwst-lab REST client and checks that the server matches the front end.',
  autoStart: true,
  provides: IJwstLabClient,
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IJwstLabClient => {
    const trans = loadTrans(translator);
    const client = new JwstLabClient({
      serverSettings: app.serviceManager.serverSettings
    });

    app.commands.addCommand(CommandIds.showInfo, {
      label: trans.__('About jwst-lab (server versions)'),
      execute: () => showServerInfo(client, trans)
    });
    palette?.addItem({
      command: CommandIds.showInfo,
      category: COMMAND_CATEGORY
    });

    // Not awaited: the handshake must never hold up the application.
    void announceVersionCheck(client, trans, app.commands);
    return client;
  }
};
