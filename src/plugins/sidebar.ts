import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { COMMAND_CATEGORY } from '../tokens';

/** How to add a panel to the left sidebar. */
export interface ISidebarPanelOptions {
  /** Position among the left sidebar tabs (lower is higher up). */
  rank: number;
  /** Id of the command that opens the panel. */
  command: string;
  /** Label of that command. */
  label: string;
  icon: LabIcon;
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
}

/**
 * Add `panel` to the left sidebar, let the layout restorer reopen it after a
 * reload, and register a command (also in the palette) that activates it.
 */
export function addSidebarPanel(
  app: JupyterFrontEnd,
  panel: Widget,
  options: ISidebarPanelOptions
): void {
  app.shell.add(panel, 'left', { rank: options.rank });
  options.restorer?.add(panel, panel.id);
  app.commands.addCommand(options.command, {
    label: options.label,
    icon: options.icon,
    execute: () => app.shell.activateById(panel.id)
  });
  options.palette?.addItem({
    command: options.command,
    category: COMMAND_CATEGORY
  });
}
