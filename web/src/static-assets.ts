export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

/** Files served under /static/, by name; loaded up front so a request never touches the disk. */
export type StaticAssets = ReadonlyMap<string, StaticAsset>;

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  ico: "image/x-icon",
};

export function contentTypeOf(name: string): string {
  return TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
}
