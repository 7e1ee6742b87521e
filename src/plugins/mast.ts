import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { mastIcon } from '../icons';
import {
  CommandIds,
  IJwstLabClient,
  PluginIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { DEFAULT_RADIUS_DEG, MastPanel } from '../widgets/mast';
import { addSidebarPanel } from './sidebar';

/** The MAST search panel in the left sidebar, and the command that opens it. */
export const mastPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.mast,
  description: 'Adds the MAST search panel to the left sidebar.',
  autoStart: true,
  requires: [IJwstLabClient],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const panel = new MastPanel({
      client,
      translator: translator ?? undefined
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
  }
};
