/** The Node options the embedded app runs with (app-node-options.cjs). */
declare const APP_NODE_OPTIONS: readonly string[];
export = APP_NODE_OPTIONS;
