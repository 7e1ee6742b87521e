// package.json lies outside `rootDir`, so it cannot be imported as a module;
// webpack and jest both resolve this require, which keeps the version in one place.
declare const require: (id: string) => { version: string };

/** The version of this front end, as written in package.json. */

export const FRONTEND_VERSION: string = require('../package.json').version;
