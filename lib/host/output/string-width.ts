/**
 * What the `table` package's `require("string-width")` gets in the esbuild bundle: our terminal
 * width (table-package.ts says why). The build binds the name to this module with esbuild's
 * `alias` (scripts/bundle.mjs); only `table` requires string-width in the bundle.
 */
import { displayWidth } from '../../common/text-width.js';

export default displayWidth;
