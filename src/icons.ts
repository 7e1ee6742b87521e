import { LabIcon } from '@jupyterlab/ui-components';

import crdsSvg from '../style/icons/crds.svg';
import jobsSvg from '../style/icons/jobs.svg';
import mastSvg from '../style/icons/mast.svg';

/** Sidebar icon of the MAST panel: a segmented hexagonal mirror. */
export const mastIcon = new LabIcon({ name: 'jwst-lab:mast', svgstr: mastSvg });

/** Sidebar icon of the CRDS panel: stacked reference layers. */
export const crdsIcon = new LabIcon({ name: 'jwst-lab:crds', svgstr: crdsSvg });

/** Sidebar icon of the Jobs panel: a play list. */
export const jobsIcon = new LabIcon({ name: 'jwst-lab:jobs', svgstr: jobsSvg });
