import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { TranslationBundle } from '@jupyterlab/translation';
import { imageIcon, tableRowsIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { baseName } from '../../components/format';
import { CatalogTableModel } from '../../models/catalogTableModel';
import { ImageViewModel } from '../../models/imageViewModel';
import type { IJwstLabClient } from '../../tokens';
import { ModelTab } from '../modelTab';
import { CatalogTable } from './catalogTable';
import { ImageViewer } from './imageViewer';

/** What the quick-look tabs need from the application. */
export interface IQuickLookContext {
  app: JupyterFrontEnd;
  client: IJwstLabClient;
  trans: TranslationBundle;
}

/** A main-area tab with the pannable quick look of one image; closing it frees the image. */
export class QuickLookWidget extends ModelTab<ImageViewModel> {
  /** Create the tab and ask for the image. */
  constructor(options: {
    client: IJwstLabClient;
    path: string;
    trans: TranslationBundle;
    onOpenCatalog?: (path: string) => void;
  }) {
    const model = new ImageViewModel({
      client: options.client,
      path: options.path
    });
    super({
      model,
      element: (
        <ImageViewer
          model={model}
          trans={options.trans}
          onOpenCatalog={options.onOpenCatalog}
        />
      ),
      contentClass: 'jp-JwstLab-quickLookContent',
      label: options.trans.__('Quick Look: %1', baseName(options.path)),
      icon: imageIcon
    });
    this.path = options.path;
  }

  /** The image, relative to the server root. */
  readonly path: string;
}

/** A main-area tab with a source catalog as a sortable table. */
export class CatalogTableWidget extends ModelTab<CatalogTableModel> {
  /** Create the tab and ask for the catalog. */
  constructor(options: {
    client: IJwstLabClient;
    path: string;
    trans: TranslationBundle;
    onShowImage?: (path: string) => void;
  }) {
    const model = new CatalogTableModel({
      client: options.client,
      path: options.path
    });
    super({
      model,
      element: (
        <CatalogTable
          model={model}
          trans={options.trans}
          onShowImage={options.onShowImage}
        />
      ),
      contentClass: 'jp-JwstLab-catalogContent',
      label: options.trans.__('Catalog: %1', baseName(options.path)),
      icon: tableRowsIcon
    });
    this.path = options.path;
  }

  /** The catalog, relative to the server root. */
  readonly path: string;
}

function openTabs<W>(
  app: JupyterFrontEnd,
  kind: new (...args: never[]) => W
): W[] {
  return Array.from(app.shell.widgets('main')).filter(
    (widget): widget is W & typeof widget => widget instanceof kind
  ) as W[];
}

/** Show the quick look of `path` (the open tab if there is one). */
export function openQuickLook(
  context: IQuickLookContext,
  path: string
): QuickLookWidget {
  const { app, client, trans } = context;
  const open = openTabs(app, QuickLookWidget).find(w => w.path === path);
  if (open) {
    app.shell.activateById(open.id);
    return open;
  }
  const widget: QuickLookWidget = new QuickLookWidget({
    client,
    path,
    trans,
    onOpenCatalog: catalog => openCatalogTable(context, catalog, widget)
  });
  app.shell.add(widget, 'main');
  return widget;
}

/**
 * Show the catalog `path` as a table, linked to the quick look `image` (or
 * to an open quick look of the catalog's image): beside it when both are new.
 */
export function openCatalogTable(
  context: IQuickLookContext,
  path: string,
  image?: QuickLookWidget
): CatalogTableWidget {
  const { app, client, trans } = context;
  const open = openTabs(app, CatalogTableWidget).find(w => w.path === path);
  if (open) {
    if (image) {
      open.model.link(image.model);
    }
    app.shell.activateById(open.id);
    return open;
  }
  const widget: CatalogTableWidget = new CatalogTableWidget({
    client,
    path,
    trans,
    onShowImage: imagePath => {
      const shown = openQuickLook(context, imagePath);
      widget.model.link(shown.model);
    }
  });
  if (image) {
    widget.model.link(image.model);
    app.shell.add(widget, 'main', { mode: 'split-bottom', ref: image.id });
  } else {
    app.shell.add(widget, 'main');
    // Link to the image's quick look when one is open.
    const linkOpen = () => {
      const imagePath = widget.model.table.value?.image;
      if (imagePath && !widget.model.image) {
        const shown = openTabs(app, QuickLookWidget).find(
          w => w.path === imagePath
        );
        if (shown) {
          widget.model.link(shown.model);
        }
      }
    };
    widget.model.changed.connect(linkOpen);
  }
  return widget;
}
