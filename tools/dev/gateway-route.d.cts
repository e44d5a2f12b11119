/** gateway/routes.json: regex paths in table order, and the service of every other path. */
export interface RouteTable {
  readonly routes: readonly { readonly path: string; readonly service: string }[];
  readonly default: string;
}
/** The path nginx matches locations against, or null for one it refuses (bad percent-encoding, `..` above the root). */
export function normalizedPath(rawPath: string): string | null;
/** The service of a request URL by the table, or null when nginx would refuse its path. */
export function serviceFor(table: RouteTable, url: string | undefined): string | null;
