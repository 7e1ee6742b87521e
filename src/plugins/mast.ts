import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator } from '@jupyterlab/translation';

import type { IEventsConnection } from '../api/events';
import { mastIcon } from '../icons';
import { trackBasket, trackLastSearch } from '../mast/lastSearch';
import { RunCommandIds } from '../runs/commands';
import {
  CommandIds,
  IJwstLabClient,
  IJwstLabEvents,
  PluginIds
} from '../tokens';
import { loadTrans } from '../translation';
import { DEFAULT_RADIUS_DEG } from '../mast/form';
import { MastPanel } from '../widgets/mast/panel';
import { MastPeekWidget } from '../widgets/mast/peek';
import { MastResultsDocument } from '../widgets/mast/resultsDocument';
import { addSidebarPanel } from './sidebar';
import { addTabCommand } from './tabs';

/** The command that opens (or shows) the MAST results document; `{ id: 'results' }`. */
export const OPEN_MAST_RESULTS = 'jwst-lab:open-mast-results';

/** The command that opens (or shows) the peek of a product; `{ id: <dataURI> }`. */
export const OPEN_MAST_PEEK = 'jwst-lab:open-mast-peek';

/** The one results document's id, as the command and the layout restorer name it. */
const RESULTS_ID = 'results';

/**
 * The MAST search panel in the left sidebar and the command that opens it,
 * and the results document in the main area (opened by each search, reopened
 * after a reload with the last search and the basket); downloads land in the
 * folder of the settings or the file browser's current one.
 */
export const mastPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.mast,
  description: 'Adds the MAST search panel to the left sidebar.',
  autoStart: true,
  requires: [IJwstLabClient, IJwstLabEvents],
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    IStateDB,
    IDefaultFileBrowser,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    events: IEventsConnection,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    state: IStateDB | null,
    fileBrowser: IDefaultFileBrowser | null,
    translator: ITranslator | null
  ): void => {
    const trans = loadTrans(translator);
    let settingsFolder = '';
    const panel = new MastPanel({
      client,
      events,
      translator: translator ?? undefined,
      copy: text => Clipboard.copyToSystem(text),
      defaultFolder: () => settingsFolder || fileBrowser?.model.path || '',
      openFolder: path => {
        if (fileBrowser) {
          fileBrowser.model
            .cd(`/${path}`)
            .then(() => app.shell.activateById(fileBrowser.id))
            .catch(reason =>
              console.error(`jwst-lab: cannot open ${path}`, reason)
            );
        } else {
          void app.commands.execute('filebrowser:go-to-path', {
            path: `/${path}`
          });
        }
      }
    });
    // "Download and reduce": the run opens in its tab; a refused run (e.g. not
    // enough memory) opens its plan dialog, where the user decides.
    panel.download.runCreated.connect((_, run) => {
      void app.commands.execute(RunCommandIds.openRun, { id: run.id });
    });
    panel.download.reduceRefused.connect((_, { inputs }) => {
      void app.commands.execute(RunCommandIds.reduce, { inputs, level: 3 });
    });
    const tracker = new WidgetTracker<MastResultsDocument>({
      namespace: 'jwst-lab-mast-results'
    });
    addTabCommand(app, {
      command: OPEN_MAST_RESULTS,
      tracker,
      restorer,
      label: () => trans.__('Show MAST Search Results'),
      idOf: () => RESULTS_ID,
      create: () =>
        new MastResultsDocument({
          panel,
          copy: text => Clipboard.copyToSystem(text)
        })
    });
    panel.resultsRequested.connect(() => {
      void app.commands.execute(OPEN_MAST_RESULTS, { id: RESULTS_ID });
    });
    const peeks = new WidgetTracker<MastPeekWidget>({
      namespace: 'jwst-lab-mast-peek'
    });
    addTabCommand(app, {
      command: OPEN_MAST_PEEK,
      tracker: peeks,
      restorer,
      label: uri =>
        uri
          ? trans.__('Peek at %1', uri.slice(uri.lastIndexOf('/') + 1))
          : trans.__('Peek at a MAST Product'),
      idOf: widget => widget.model.uri,
      create: uri =>
        new MastPeekWidget({
          client,
          uri,
          trans,
          copy: text => Clipboard.copyToSystem(text)
        })
    });
    panel.peekRequested.connect((_, uri) => {
      void app.commands.execute(OPEN_MAST_PEEK, { id: uri });
    });
    addSidebarPanel(app, panel, {
      rank: 700,
      command: CommandIds.openMast,
      label: trans.__('Open MAST Search'),
      icon: mastIcon,
      palette,
      restorer
    });

    settingRegistry
      ?.load(PluginIds.mast)
      .then(settings => {
        const apply = () => {
          const radius = settings.get('defaultRadius').composite;
          panel.defaultRadius =
            typeof radius === 'number' ? radius : DEFAULT_RADIUS_DEG;
          const folder = settings.get('downloadFolder').composite;
          settingsFolder =
            typeof folder === 'string' ? folder.replace(/^\/+/, '') : '';
        };
        apply();
        settings.changed.connect(apply);
      })
      .catch(reason =>
        console.error(
          `jwst-lab: cannot load the settings of ${PluginIds.mast}`,
          reason
        )
      );

    if (state) {
      // After the application restored its layout, so the state database is ready.
      void app.restored.then(() =>
        Promise.all([trackLastSearch(panel, state), trackBasket(panel, state)])
      );
    }
  }
};
