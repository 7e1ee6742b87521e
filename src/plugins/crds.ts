import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { crdsIcon } from '../icons';
import {
  CommandIds,
  IJwstLabClient,
  PluginIds,
  TRANSLATION_DOMAIN
} from '../tokens';
import { CrdsPanel } from '../widgets/crds';
import { addSidebarPanel } from './sidebar';

/** The CRDS panel in the left sidebar, and the command that opens it. */
export const crdsPlugin: JupyterFrontEndPlugin<void> = {
  id: PluginIds.crds,
  description: 'Adds the CRDS references panel to the left sidebar.',
  autoStart: true,
  requires: [IJwstLabClient],
  optional: [ICommandPalette, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IJwstLabClient,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const panel = new CrdsPanel({
      client,
      translator: translator ?? undefined
    });
    addSidebarPanel(app, panel, {
      rank: 710,
      command: CommandIds.openCrds,
      label: trans.__('Open CRDS References'),
      icon: crdsIcon,
      palette,
      restorer
    });
  }
};
